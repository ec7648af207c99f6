"""A hand-written parser and evaluator for boolean expressions (never ``eval``).

Grammar, lowest precedence first (all binary operators but ``->`` are left-associative)::

    program := expr (';' expr)*            one expression per output column, at most MAX_OUTPUTS
    expr    := equiv ('->' expr)?          implication, right-associative
    equiv   := or ('==' or)*               equality (XNOR)
    or      := xor (('|' | 'or') xor)*
    xor     := and (('^' | 'xor') and)*
    and     := unary (('&' | 'and') unary)*
    unary   := ('~' | '!' | 'not') unary | atom
    atom    := VARIABLE | '0' | '1' | '(' expr ')'

Variables are ``VARIABLES`` (``a`` to ``h``): ``a`` is the first (most significant) input. The precedence of ``&``,
``^`` and ``|`` follows Python and C, and ``==`` binds more loosely than all three as it does in Python, so
``a == b & c`` means ``a == (b & c)``. Errors carry the 1-based column:
``col 7: expected a variable or '(' but found ')'``.

Nesting is bounded (``MAX_NESTING`` open ``(``, ``~`` and ``->`` at once, ``MAX_DEPTH`` levels in a tree) so that
parsing, printing and evaluating, which recurse, never run out of stack.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.core.errors import ExpressionError
from lab.core.table_size import MAX_OUTPUTS, VARIABLES

MAX_NESTING = 32  # '(', '~' and '->' open at once while parsing (each recursion of the parser)
MAX_DEPTH = 256  # levels of a tree (``a & b & ...`` chains nest one level per operator)

# Binary operators by precedence level (higher binds tighter) and the function that evaluates them on bool arrays.
PRECEDENCE: dict[str, int] = {"->": 1, "==": 2, "|": 3, "^": 4, "&": 5}
_WORDS = {"and": "&", "or": "|", "xor": "^", "not": "~"}
_SYMBOLS = ("->", "==", "~", "!", "&", "|", "^", "(", ")", ";")


@dataclass(frozen=True)
class Var:
    """Input variable ``index`` (0 is ``a``)."""

    index: int


@dataclass(frozen=True)
class Const:
    """The constant 0 or 1."""

    value: int


@dataclass(frozen=True)
class Not:
    """Logical negation of ``operand``."""

    operand: Node


@dataclass(frozen=True)
class Binary:
    """``left op right`` for op in ``->``, ``==``, ``|``, ``^``, ``&``."""

    op: str
    left: Node
    right: Node


Node = Var | Const | Not | Binary


@dataclass(frozen=True)
class Token:
    """A lexical token: ``kind`` is 'var', 'const', 'op' or 'end'; ``text`` is the canonical spelling."""

    kind: str
    text: str
    col: int
    source: str


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an 'end' token. Raises ExpressionError on an unknown character."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        two = text[i : i + 2]
        if two in ("->", "=="):
            tokens.append(Token("op", two, i + 1, two))
            i += 2
            continue
        if ch in "~!&|^();":
            tokens.append(Token("op", "~" if ch == "!" else ch, i + 1, ch))
            i += 1
            continue
        if ch in "01" and not text[i + 1 : i + 2].isalnum():
            tokens.append(Token("const", ch, i + 1, ch))
            i += 1
            continue
        if ch.isalnum() or ch == "_":
            j = i
            while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                j += 1
            word = text[i:j]
            lower = word.lower()
            if lower in _WORDS:
                tokens.append(Token("op", _WORDS[lower], i + 1, word))
            elif len(word) == 1 and lower in VARIABLES:
                tokens.append(Token("var", lower, i + 1, word))
            else:
                raise ExpressionError(i + 1, f"unknown name '{word}' (inputs are a to h)")
            i = j
            continue
        if ch == "=":
            raise ExpressionError(i + 1, "expected '==' but found a single '='")
        if ch == "-":
            raise ExpressionError(i + 1, "expected '->' but found a single '-'")
        raise ExpressionError(i + 1, f"unexpected character {ch!r}")
    tokens.append(Token("end", "", len(text) + 1, ""))
    return tokens


def _describe(tok: Token) -> str:
    return "end of input" if tok.kind == "end" else f"'{tok.source}'"


class _Parser:
    """Recursive-descent parser over a token list (one method per grammar rule)."""

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0
        self.nesting = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def _take(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def _is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def _nested(self, tok: Token, rule) -> Node:
        """Parse ``rule()`` one level deeper than ``tok``, refusing to go beyond ``MAX_NESTING``."""
        if self.nesting == MAX_NESTING:
            raise ExpressionError(tok.col, f"nested too deeply: at most {MAX_NESTING} '(', '~' and '->' open at once")
        self.nesting += 1
        node = rule()
        self.nesting -= 1
        return node

    def program(self) -> list[Node]:
        outputs = [self.expr()]
        while self._is_op(";"):
            semi = self._take()
            if len(outputs) == MAX_OUTPUTS:
                raise ExpressionError(semi.col, f"at most {MAX_OUTPUTS} outputs (one per ';'-separated expression)")
            outputs.append(self.expr())
        if self.tok.kind != "end":
            raise ExpressionError(self.tok.col, f"expected an operator or ';' but found {_describe(self.tok)}")
        return outputs

    def expr(self) -> Node:
        left = self.equiv()
        if self._is_op("->"):
            return Binary("->", left, self._nested(self._take(), self.expr))
        return left

    def _left_assoc(self, op: str, operand) -> Node:
        node = operand()
        while self._is_op(op):
            self._take()
            node = Binary(op, node, operand())
        return node

    def equiv(self) -> Node:
        return self._left_assoc("==", self.or_)

    def or_(self) -> Node:
        return self._left_assoc("|", self.xor)

    def xor(self) -> Node:
        return self._left_assoc("^", self.and_)

    def and_(self) -> Node:
        return self._left_assoc("&", self.unary)

    def unary(self) -> Node:
        if self._is_op("~"):
            return Not(self._nested(self._take(), self.unary))
        return self.atom()

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "var":
            self._take()
            return Var(VARIABLES.index(tok.text))
        if tok.kind == "const":
            self._take()
            return Const(int(tok.text))
        if self._is_op("("):
            self._take()
            inner = self._nested(tok, self.expr)
            if not self._is_op(")"):
                raise ExpressionError(self.tok.col, f"expected ')' to close the '(' at col {tok.col} "
                                                    f"but found {_describe(self.tok)}")
            self._take()
            return inner
        raise ExpressionError(tok.col, f"expected a variable or '(' but found {_describe(tok)}")


def parse(text: str) -> list[Node]:
    """Parse ``text`` into one syntax tree per output (``;`` separates outputs).

    Raises:
        ExpressionError: with the 1-based column of the first problem.
    """
    if not text.strip():
        raise ExpressionError(1, "the expression is empty: type one such as 'a ^ b'")
    trees = _Parser(text).program()
    for tree in trees:
        if depth(tree) > MAX_DEPTH:
            raise ExpressionError(1, f"nested too deeply: at most {MAX_DEPTH} levels of operators in one output")
    return trees


def depth(node: Node) -> int:
    """Levels of ``node``: 1 for a variable or constant. Iterative, so any tree can be measured."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, Not):
            stack.append((node.operand, level + 1))
        elif isinstance(node, Binary):
            stack += [(node.left, level + 1), (node.right, level + 1)]
    return deepest


def variables_used(node: Node) -> set[int]:
    """The input indices a tree mentions."""
    if isinstance(node, Var):
        return {node.index}
    if isinstance(node, Const):
        return set()
    if isinstance(node, Not):
        return variables_used(node.operand)
    return variables_used(node.left) | variables_used(node.right)


def evaluate(node: Node, inputs: np.ndarray) -> np.ndarray:
    """Evaluate a tree on every row at once.

    Args:
        node: the syntax tree.
        inputs: bool array of shape ``(n_rows, n_inputs)``; column ``j`` is variable ``VARIABLES[j]``.

    Returns:
        bool array of shape ``(n_rows,)``.
    """
    if isinstance(node, Var):
        return inputs[:, node.index].astype(bool)
    if isinstance(node, Const):
        return np.full(inputs.shape[0], bool(node.value))
    if isinstance(node, Not):
        return ~evaluate(node.operand, inputs)
    left, right = evaluate(node.left, inputs), evaluate(node.right, inputs)
    if node.op == "&":
        return left & right
    if node.op == "|":
        return left | right
    if node.op == "^":
        return left ^ right
    if node.op == "==":
        return left == right
    return ~left | right  # '->'


def to_text(node: Node, min_prec: int = 0) -> str:
    """Print a tree with the fewest parentheses that parse back to the same tree.

    Args:
        node: the tree to print.
        min_prec: the loosest operator the surrounding context accepts without parentheses.
    """
    if isinstance(node, Var):
        return VARIABLES[node.index]
    if isinstance(node, Const):
        return str(node.value)
    if isinstance(node, Not):
        return "~" + to_text(node.operand, 6)
    prec = PRECEDENCE[node.op]
    right_assoc = node.op == "->"
    text = (f"{to_text(node.left, prec + (1 if right_assoc else 0))} {node.op} "
            f"{to_text(node.right, prec + (0 if right_assoc else 1))}")
    return f"({text})" if prec < min_prec else text
