"""The lab's views drawn as Rich text, without Textual: the inspect view shows them, ``nnlab show`` prints them."""
