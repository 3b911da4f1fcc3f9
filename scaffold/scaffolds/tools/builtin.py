"""The built-in tools: `calculator`, `lookup`, `ask_user` and `submit` (DESIGN 1.3, 9),
deterministic and safe.

- `calculator(expression)`: arithmetic parsed with `ast`, never `eval`: numbers, `+ - * /
  // % **`, unary minus and plus, parentheses. Integers stay exact; an integer result may
  have at most `MAX_INTEGER_BITS` bits (about 1,200 digits) and the check is made before
  computing, so `9**9**9` is refused at once. Floats are shown with 15 significant digits
  (`0.1+0.2` → `0.3`, `8/2` → `4`).
- `lookup(key)`: the case's var `key`, else the entry `key` of the var `table` (a dict),
  else `not found: <key>`.
- `ask_user(question)`: the case's var `clarification` (the detail an ambiguous request
  left out), else `No further information is available.`
- `submit(answer)`: gives the final answer; `tool_loop` ends on it.
"""

from __future__ import annotations

import ast
import math
import operator
from typing import Any, Callable

from scaffold.registry import register
from scaffold.scaffolds.base import ScaffoldContext
from scaffold.scaffolds.tools.toolbox import Tool, ToolFailure, result_text

MAX_EXPRESSION_CHARS = 1000
MAX_INTEGER_BITS = 4096

Number = int | float


class CalculatorError(ToolFailure):
    """An expression the calculator refuses or cannot compute; the message says why."""


def _check_size(value: Number) -> Number:
    if isinstance(value, int) and value.bit_length() > MAX_INTEGER_BITS:
        raise CalculatorError(f"result too large (more than {MAX_INTEGER_BITS} bits)")
    if isinstance(value, float) and not math.isfinite(value):
        raise CalculatorError("result too large")
    return value


def _power(base: Number, exponent: Number) -> Number:
    # Refuse before computing: 9**9**9 would take minutes and gigabytes to compute exactly.
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        if exponent * math.log2(abs(base)) > MAX_INTEGER_BITS:
            raise CalculatorError(f"result too large (more than {MAX_INTEGER_BITS} bits)")
    return base**exponent


BINARY_OPERATORS: dict[type[ast.operator], Callable[[Any, Any], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: _power,
}

UNARY_OPERATORS: dict[type[ast.unaryop], Callable[[Any], Number]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def _refusal(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return f"names are not allowed ('{node.id}'); use numbers only"
    if isinstance(node, ast.Call):
        return "function calls are not allowed"
    if isinstance(node, ast.Attribute):
        return "attributes are not allowed"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor):
        return "'^' is not supported; use ** for powers"
    if isinstance(node, ast.Constant):
        return f"only numbers are allowed, not {node.value!r}"
    return f"unsupported syntax: {type(node).__name__}"


def _evaluate(node: ast.AST) -> Number:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY_OPERATORS:
        left, right = _evaluate(node.left), _evaluate(node.right)
        value = BINARY_OPERATORS[type(node.op)](left, right)
        if isinstance(value, complex):  # a negative number to a fractional power
            raise CalculatorError("the result is not a real number")
        return _check_size(value)
    if isinstance(node, ast.UnaryOp) and type(node.op) in UNARY_OPERATORS:
        return UNARY_OPERATORS[type(node.op)](_evaluate(node.operand))
    raise CalculatorError(_refusal(node))


def format_number(value: Number) -> str:
    """A result as text: integers exactly, floats with 15 significant digits."""
    if isinstance(value, int):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def calculate(expression: str) -> str:
    """The value of an arithmetic expression, as text. Raises CalculatorError."""
    if not isinstance(expression, str):
        raise CalculatorError("expression must be text")
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise CalculatorError(f"expression longer than {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise CalculatorError(f"cannot parse {expression.strip()!r}: {error.msg}") from None
    try:
        return format_number(_check_size(_evaluate(tree)))
    except ZeroDivisionError:
        raise CalculatorError("division by zero") from None
    except OverflowError:
        raise CalculatorError("result too large") from None
    except RecursionError:
        raise CalculatorError("expression nested too deeply") from None


def lookup_value(key: str, case_vars: dict[str, Any]) -> str:
    """The case's var `key`, else the entry `key` of its `table` var, else `not found: key`."""
    if key in case_vars:
        return result_text(case_vars[key])
    table = case_vars.get("table")
    if isinstance(table, dict):
        if key in table:
            return result_text(table[key])
        for table_key, value in table.items():  # YAML and JSON tables may have number keys
            if str(table_key) == key:
                return result_text(value)
    return f"not found: {key}"


def _object_schema(**properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


CALCULATOR = Tool(
    name="calculator",
    description=(
        "Evaluate an arithmetic expression exactly: numbers, + - * / // % ** and parentheses. "
        "Returns the result."
    ),
    parameters=_object_schema(
        expression={"type": "string", "description": "The expression, e.g. (12 + 7) * 3"}
    ),
    invoke=lambda arguments, context: calculate(arguments["expression"]),
)


def _lookup(arguments: dict[str, Any], context: ScaffoldContext) -> str:
    return lookup_value(arguments["key"], context.case.vars)


LOOKUP = Tool(
    name="lookup",
    description="Look up a value by its key in the data for this task. Returns the value, or 'not found: KEY'.",
    parameters=_object_schema(key={"type": "string", "description": "The key to look up"}),
    invoke=_lookup,
)

NO_CLARIFICATION = "No further information is available."
"""What `ask_user` answers when the case has no `clarification` var."""


def _ask_user(arguments: dict[str, Any], context: ScaffoldContext) -> str:
    clarification = context.case.vars.get("clarification")
    return NO_CLARIFICATION if clarification in (None, "") else result_text(clarification)


ASK_USER = Tool(
    name="ask_user",
    description="Ask the user a clarifying question when the task leaves out a detail you need. Returns the answer.",
    parameters=_object_schema(question={"type": "string", "description": "The question for the user"}),
    invoke=_ask_user,
)

SUBMIT = Tool(
    name="submit",
    description="Submit your final answer. Call this once, when you are done.",
    parameters=_object_schema(answer={"type": "string", "description": "The final answer"}),
    invoke=lambda arguments, context: arguments["answer"],
)

for _tool in (CALCULATOR, LOOKUP, ASK_USER, SUBMIT):
    register("tool", _tool.name, _tool)
