r"""How a final answer's text is read before it is compared: the answer forms.

A box or an `<answer>` body is LaTeX as models and data sets write it, and several of its forms
mean something other than what a LaTeX parser makes of them: `3 2/7` is a mixed number (the
parser adds: 5/7), `5 6` is no number at all (the parser adds again: 11), `\phantom{5}` shows
nothing, `5 \text{ km}` is not `5 \text{ m}`, `x = 5 = 6` is not 6, `(m,n)=(4,1)` names its
values, and `exp(3)+1` is plain sympy text. `read` turns a text into the values it states, its
unit and its label, in the form the parser reads as meant; every function here is pure and
linear in the text's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reward_service.extract import (
    QUALIFIER,
    RELATION,
    RETRACTION,
    UNIT_NAMES,
    is_number_word,
    is_verdict,
    names_no_unit,
)

# Shown, but not there: invisible or struck-out content is no part of the answer.
# Longer texts are no answer to read (a candidate is cut at 1000 characters before): reading
# stays bounded on a reference of 100,000.
MAX_CHARS = 2_000
_HIDDEN = re.compile(r"\\(?:[hv]?phantom|cancel|bcancel|xcancel|sout|st)\s*\{")
_UPRIGHT_E = re.compile(
    r"\\(?:mathrm|operatorname|text|rm|textrm)\s*\{\s*e\s*\}|\\rm\s+e(?![A-Za-z])"
)
_UPRIGHT_I = re.compile(
    r"\\(?:mathrm|text|rm|textrm)\s*\{\s*i\s*\}|\{\s*\\rm\s+i\s*\}|\\rm\s+i(?![A-Za-z])"
)
# `30^o`: degrees as a raised letter o.
_DEGREE_AS_O = re.compile(r"(?<=[\d}])\s*\^\s*(?:\{\s*o\s*\}|o(?![A-Za-z]))")
# `x = \frac{\pi}{6} + 2k\pi, k \in \mathbb{Z}`, `a_n = 2n - 1 (n \in \mathbb{N}^*)`: the domain
# of a parameter or index, no part of the value.
_INTEGER_PARAMETER = re.compile(
    r"(?<=\S)(?:\s|\\[,;: ]|\\q?quad|~)*+[,;]?(?:\s|\\[,;: ]|\\q?quad|~)*+(?:\\left)?\(?\s*+"
    r"(?:\\text\s*\{\s*(?:where|for)\s*\}\s*)?[a-zA-Z]\s*\\in\s*\\mathbb\s*\{?\s*[ZN]\s*\}?"
    r"(?:\s*[\^_]\s*\{?\s*(?:\*|\+|\\ast)\s*\}?)?\s*(?:\\right)?\)?\s*$"
)
_EMPTY_SET = re.compile(r"\\varnothing(?![A-Za-z])|∅")
# `\sin 30^\circ`, `\cos(90^{\circ} - x)`, `\tan(2 \cdot 18)^\circ`: degrees in the argument of
# a trigonometric function are radians times π/180 (the parser drops the mark and takes 30
# radians); `\sin^{-1}(\frac12) = 30^\circ` is an angle in degrees, its function's argument none.
_TRIGONOMETRIC = re.compile(
    r"\\(?:sin|cos|tan|cot|sec|csc)(?![A-Za-z])\s*+(?:\^\s*+(?P<power>\{[^{}]*\}|[^\s{]))?\s*+"
    r"(?:\\left\s*+(?=\()|\\[,;: !]\s*+)*"
)
_DEGREE_MARK = (
    r"(?:\s|\\[,;: !])*+(?:\^\s*+(?:\{\s*+\\circ\s*+\}|\\circ(?![A-Za-z]))|\\degree(?![A-Za-z])|°)"
)
_DEGREES = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?){_DEGREE_MARK}")
_GROUP_DEGREES = re.compile(_DEGREE_MARK)
# Where an argument written without brackets ends: `\sin 30^\circ + \cos 60^\circ`.
_ARGUMENT_END = re.compile(
    r"(?<!\\)[-+=,;<>)\]}&]|\\(?:cdot|times|div|right|[a-z]*sin|[a-z]*cos|tan|cot|sec|csc|\\)"
)
# `0.1\overline{36}`, `0.\dot{3}`, `0.\dot{3}\dot{6}` (the period from dot to dot): a repeating
# decimal, the fraction it is. Digits after the period make no number.
_REPEATING = re.compile(
    r"(?<![\d.,])(?P<whole>\d{1,3}(?:,\d{3})+|\d*)\.(?P<fixed>\d*)(?:\\overline\s*+\{\s*+(?P<bar>\d+)\s*+\}"
    r"|\\dot\s*+(?:\{\s*+(?P<first>\d)\s*+\}|(?P<bare_first>\d))"
    r"(?:(?P<middle>\d*)\\dot\s*+(?:\{\s*+(?P<last>\d)\s*+\}|(?P<bare_last>\d)))?)(?![\d.])"
)
# A vector written as a column or a row in brackets, or in angle brackets: a tuple. A bare
# `matrix` counts only inside brackets; `Bmatrix` draws a set, `vmatrix` a determinant.
_VECTOR_NAME = r"(?:\\(?:mathbf|vec|overrightarrow|boldsymbol|bm)\s*+\{\s*+[A-Za-z]\s*+\}|[A-Za-z])"
_MATRIX = re.compile(
    rf"\s*+(?P<label>{_VECTOR_NAME}\s*+=\s*+)?(?P<open>(?:\\left\s*+)?[(\[])?\s*+"
    r"\\begin\s*+\{(?P<kind>[pb]?matrix)\}(?P<body>.*)\\end\s*+\{(?P=kind)\}\s*+"
    r"(?(open)(?:\\right\s*+)?[)\]])\s*+(?P<transposed>\^\s*+(?:\{\s*+(?:T|\\top)\s*+\}|T|\\top))?\s*+",
    re.S,
)
_CLOSING_BRACKET = {"{": "}", "(": ")", "[": "]"}
_ROW_BREAK = re.compile(r"\\\\(?:\[[^\]]*\])?")
_ANGLE_BRACKETS = re.compile(
    r"\s*+(?:\\left\s*+)?\\langle(?![A-Za-z])(.*)(?:\\right\s*+)?\\rangle(?![A-Za-z])\s*+", re.S
)
# `8:34 \text{P.M.}`, `20:34:00`, `t = 8{:}34\,\text{pm}`: a time of day, as hours and minutes
# on a 24-hour clock.
_PERIOD = r"[AaPp]\.?\s?[Mm]\.?(?![A-Za-z])|noon|midnight"
_CLOCK = re.compile(
    r"\s*+(?:[A-Za-z]\s*+=\s*+)?(?:\\text\s*+\{)?\s*+(?P<hour>\d{1,2})\s*+(?::|\{:\})\s*+(?P<minute>[0-5]\d)"
    r"(?:\s*+(?::|\{:\})\s*+(?P<second>[0-5]\d))?(?:\s|\\[,;: !]|~|\\q?quad(?![A-Za-z]))*+"
    rf"(?:\\(?:text|textrm|mathrm)\s*+\{{\s*+(?P<wrapped>{_PERIOD})\s*+\}}|(?P<period>{_PERIOD}))?\s*+\}}?\s*+",
    re.I,
)
_SAYS_PERIOD = re.compile(rf"\d\s*+(?::|\{{:\}})\s*+\d.*(?<![A-Za-z])(?:{_PERIOD})", re.I | re.S)
# `1011_{(2)}`, `(1011)_2`, `1011_{\text{2}}`: digits in a base, as `1011_{2}`.
_BASE_IN_PARENTHESES = re.compile(
    r"\((?P<digits>[0-9A-Z]+)\)_\{?(?P<base>\d+)\}?"
    r"|(?<![\w)])(?P<digits2>[0-9A-Z]+)_\{\s*(?:\(|\\text\s*\{)\s*(?P<base2>\d+)\s*[)}]\s*\}"
)
# `\\frac{2}{3}`: a command escaped twice over, as JSON-minded models write it; a row break
# right before a command name would render that name as letters, which nobody means.
_ESCAPED_TWICE = re.compile(
    r"(?<!\\)\\\\(?=(?:[dt]?frac|sqrt|cdot|times|div|pi|infty|pm|mp|circ|left|right|le|ge"
    r"|leq|geq|neq|text|mathrm|sin|cos|tan|log|ln)(?![A-Za-z]))"
)
# Currency signs, before or after the amount: a unit like any other (`€30` is not `\$30`).
_CURRENCY_SIGNS = {"\\$": "dollar", "$": "dollar", "€": "euro", "\\euro": "euro", "£": "pound",
                   "\\pounds": "pound", "¥": "yen", "\\yen": "yen", "₹": "rupee"}  # fmt: skip
_AFTER_NUMBER = re.compile(r"\d\s*$")
_FRACTION_COMMAND = re.compile(r"\\\\[dt]?frac")
_CURRENCY_SIGN = r"(?P<sign_>\\\$|[€£¥₹]|\\(?:euro|pounds|yen)(?![A-Za-z]))"
_CURRENCY = re.compile(_CURRENCY_SIGN.replace("?P<sign_>", ""))
_CURRENCY_BEFORE = re.compile(rf"\s*(?P<sign>[-+]?)\s*{_CURRENCY_SIGN}\s*")
_CURRENCY_AFTER = re.compile(rf"(?<=[\d}}])\s*{_CURRENCY_SIGN}\s*$")
# Mega-, giga-, tera-, peta-: `Mg` is a megagram, `mg` a milligram; `K` is a kelvin.
_MEGA = re.compile(r"[MGTP][a-z]{1,2}|K")
_POWER_BEFORE = {"square": "2", "sq": "2", "cubic": "3"}
_POWER_AFTER = {"squared": "2", "cubed": "3"}
# Emphasis that changes nothing: `\textbf{5}` is 5.
_EMPHASIS = re.compile(r"\\(?:textbf|mathbf|bm|boldsymbol|underline|emph|textit|mathit)\s*\{")
_DECORATION = re.compile(r"\\(?:bf|it|displaystyle|textstyle|left\.|right\.)(?![A-Za-z])")
_UNICODE = str.maketrans(
    {
        "½": r"\frac{1}{2}",
        "⅓": r"\frac{1}{3}",
        "⅔": r"\frac{2}{3}",
        "¼": r"\frac{1}{4}",
        "¾": r"\frac{3}{4}",
        "⅕": r"\frac{1}{5}",
        "⅙": r"\frac{1}{6}",
        "⅛": r"\frac{1}{8}",
        "²": "^{2}",
        "³": "^{3}",
        "¹": "^{1}",
        "−": "-",
        "×": r"\times ",
        "÷": r"\div ",
        "π": r"\pi ",
        "√": r"\sqrt",
        "∞": r"\infty ",
        **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},
    }
)
_CONGRUENT = re.compile(r"\\equiv(?![A-Za-z])|≡")
_MODULUS = re.compile(r"\\(?:b|p)?mod(?![A-Za-z])|\bmod\b")
_APPROXIMATE = re.compile(r"\\(?:approx|thickapprox|simeq|doteq)(?![A-Za-z])|[≈≃]")
_WRAPPED_TEXT = re.compile(
    r"\\(?:text(?:rm|sf|it|tt|up|sl|sc|md|normal)?|mbox|hbox)\s*\{([^{}]*)\}|\\verb(.)(.*?)\2"
)
# Words after a number that scale it: `5 \text{ thousand}` is 5000, `30 \text{ k}` is 30000,
# `30 \text{ ppm}` is 0.00003 (case matters for `M`, a million, and `m`, metres).
_SCALE = {
    "hundred": "100", "hundreds": "100", "thousand": "1000", "thousands": "1000", "k": "1000",
    "million": "10^{6}", "millions": "10^{6}", "mil": "10^{6}", "mn": "10^{6}",
    "M": "10^{6}", "billion": "10^{9}", "billions": "10^{9}", "bn": "10^{9}",
    "trillion": "10^{12}", "lakh": "10^{5}", "lakhs": "10^{5}", "crore": "10^{7}",
    "crores": "10^{7}", "dozen": "12", "dozens": "12", "halves": r"\frac{1}{2}",
    "thirds": r"\frac{1}{3}", "quarters": r"\frac{1}{4}", "tenths": r"\frac{1}{10}",
    "hundredths": r"\frac{1}{100}", "thousandths": r"\frac{1}{1000}", "ppm": "10^{-6}",
    "ppb": "10^{-9}", "per mille": "10^{-3}", "permille": "10^{-3}", "‰": "10^{-3}",
    "basis points": "10^{-4}", "basis point": "10^{-4}", "bps": "10^{-4}", "score": "20",
    "gross": "144", "grand": "1000", "thou": "1000", "lac": "10^{5}", "lacs": "10^{5}",
    "myriad": "10^{4}", "mio": "10^{6}", "mrd": "10^{9}", "tn": "10^{12}",
}  # fmt: skip
# Words after a number that make it another value or a bound: `5 \text{ squared}`,
# `5 \text{ tops}`, `5\text{-ish}`.
_CHANGES_VALUE = re.compile(
    r"(?<![a-z])(?:negative|minus|over|twice|double|half|root|roots"
    r"|factorial|inverse|reciprocal|opposite|power|max|maximum|minimum|tops|ish|below|plus"
    r"|above|under|beyond|zero|upper|lower|bound|bounds|limit|approx|approximately|about"
    r"|around|roughly|nearly|almost|least|most)(?![a-z])"
)
_PLUS_MINUS_SIGN = re.compile(r"\+\s*-")
# `+-5`, `x = +-5`, `-4 +- \sqrt{4}`: ± typed; `14.0 + -1.0i` (a space between) adds a negative.
_TYPED_PLUS_MINUS = re.compile(r"(?:^|(?<=[=(\[{,;:]))\s*\+\s*-|\+-")
# ± drawn as a plus over a line: `\underline{+}5`.
_DRAWN_PLUS_MINUS = re.compile(r"\\underline\s*\{\s*\+\s*\}")
# A word as a number's subscript qualifies it: `5_{est}`, `5_{\max}`, `5_\text{ub}`.
_WORDY_SUBSCRIPT = re.compile(r"\d\s*_\s*(?:\{\s*)?(?:\\[A-Za-z]+\s*(?:\{\s*)?)?[A-Za-z]{2,}")
# A solution set written as an inequality in one variable: `x < 3`, `0 < x \leq 12.5`,
# `m \in [\sqrt2, \infty)`.
_LESS = r"(?:<|\\lt|\\le(?:qslant|qq|q)?|[≤⩽≦])"
_GREATER = r"(?:>|\\gt|\\ge(?:qslant|qq|q)?|[≥⩾≧])"
_RELATION = rf"(?:{_LESS}|{_GREATER}|<=|>=)"
_ONE_SIDED = re.compile(rf"\s*(?P<var>[a-zA-Z])\s*(?P<rel>{_RELATION})\s*(?P<bound>[^<>=]+?)\s*")
_TWO_SIDED = re.compile(
    rf"\s*(?P<low>[^<>=]+?)\s*(?P<lrel>{_LESS}|<=)\s*(?P<var>[a-zA-Z])\s*(?P<hrel>{_LESS}|<=)"
    rf"\s*(?P<high>[^<>=]+?)\s*"
)
_TWO_SIDED_DOWN = re.compile(
    rf"\s*(?P<high>[^<>=]+?)\s*(?P<hrel>{_GREATER}|>=)\s*(?P<var>[a-zA-Z])\s*"
    rf"(?P<lrel>{_GREATER}|>=)\s*(?P<low>[^<>=]+?)\s*"
)
_FLIPPED = re.compile(rf"\s*(?P<bound>[^<>=]+?)\s*(?P<rel>{_RELATION})\s*(?P<var>[a-zA-Z])\s*")
_MIRROR = {
    "<": ">", ">": "<", "<=": ">=", ">=": "<=", "≤": "≥", "≥": "≤",
    "\\lt": ">", "\\gt": "<", "\\le": ">=", "\\leq": ">=", "\\ge": "<=", "\\geq": "<=",
    "\\leqslant": ">=", "\\geqslant": "<=", "\\leqq": ">=", "\\geqq": "<=", "⩽": "≥", "⩾": "≤",
    "≦": "≥", "≧": "≤",
}  # fmt: skip
# What no bound of an inequality holds: words, text, an approximation, a list.
_NO_BOUND = re.compile(
    r"\\(?:text\w*|mathrm|mbox|operatorname|approx|quad|qquad)(?![A-Za-z])|[≈,;]"
    r"|(?<![\\A-Za-z])[A-Za-z]{2,}"
)
_SET_BUILDER = re.compile(
    r"\s*(?:\\left)?\\\{\s*(?P<var>[a-zA-Z])\s*(?:\\(?:mid|vert)|\||:)\s*(?P<condition>.+?)\s*(?:\\right)?\\\}\s*"
)
_OR_SPLIT = re.compile(
    r"(?:\s|\\q?quad(?![A-Za-z])|\\[,;: ])*(?:\\(?:text|mbox)\s*\{\s*or\s*\}"
    r"|(?<![A-Za-z\\])or(?![A-Za-z])|或|\\lor(?![A-Za-z])|\\vee(?![A-Za-z]))"
    r"(?:\s|\\q?quad(?![A-Za-z])|\\[,;: ])*"
)
_MEMBER = re.compile(r"\s*(?P<var>[a-zA-Z])\s*\\in\s*(?P<set>.+?)\s*")
_THOUSANDS_SEPARATOR = re.compile(r"\{,\}|,\\!\s*")
_SCIENTIFIC = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)[eE]([-+]?\d+)(?![\w.])")
_BOX = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])")
_ELLIPSIS = re.compile(r"\\(?:[lc]?dots|dotsc|dotsb)|\.\.\.|…")
# A relation before any value states no value: `\geq 5`, `\approx 5`, `\not= 5`, `\to 5`.
_LEADING_RELATION = re.compile(
    rf"\s*(?:{RELATION}|\\(?:equiv|not|neg|lnot|to|rightarrow|Rightarrow|longrightarrow|mapsto|vdash"
    r"|models|in|ni|subset|supset|subseteq|supseteq)(?![A-Za-z])|[~¬→])"
)

# `3 2/7`, `-3 2/7`, `1 000 2/3`, `3\frac{2}{7}`: a whole number, then a proper fraction.
_WHOLE = r"(?P<whole>\d{1,3}(?:(?:[ \t]|\\[,;: ]|~)\d{3})+|\d+)"
_MIXED = re.compile(
    rf"""^(?P<sign>[-+])?[ \t]*{_WHOLE}(?:[ \t]+|[ \t]*(?=\\))
    (?:(?P<num>\d+)[ \t]*/[ \t]*(?P<den>\d+)
      |\\[dt]?frac\s*\{{\s*(?P<lnum>\d+)\s*\}}\s*\{{\s*(?P<lden>\d+)\s*\}})
    [ \t]*(?P<percent>\\?%)?$""",
    re.X,
)
# Digits apart with nothing but space between (`5 6`, `5\,6`) state no one number, nor do
# values on two lines (`11` over `\frac{5}{6}`).
_APART_DIGITS = re.compile(
    r"(?<![\d.])(?<![_^])\d+(?:\.\d+)?"
    r"(?:\s|\\[,;: !>]|~|['\"′″’]|\\(?:text\w*|mbox|mathrm)\s*\{[\s~]*\}"
    r"|\\(?:thin|en|em|med|thick|negthin|nobreak)?space(?![A-Za-z])"
    r"|\\q?quad(?![A-Za-z])|\\[hk](?:space|ern)\s*\{[^{}]*\})+\d"
)
# `0x10`, `0b101`: a programming literal, no number as written here.
_PROGRAM_LITERAL = re.compile(r"(?<![\w.])0[xXbBoO][0-9A-Fa-f]+")
_TWO_LINES = re.compile(r"\d[ \t]*\n\s*(?:[-+]?\d|\\[dt]?frac)")
# A brace group that is no command's argument groups nothing: `5 {6}` is `5 6`.
_ARGUMENT_BEFORE = re.compile(r"(?:\\[A-Za-z]+(?:\s*\w)?|[\^_\]])\s*$")
# `2,75` and `3000,25`: a decimal comma, where a thousands separator would need three digits.
_THOUSANDS = re.compile(r"\s*[-+]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?\s*")
_DECIMAL_COMMA = re.compile(
    r"^\s*([-+]?\d+),(\d{1,2}|\d{4,})\s*$|^\s*([-+]?(?:\d{4,}|0)),(\d+)\s*$"
)

# Units: trailing words in `\text{}` and its kin, or bare words, or degrees.
_UNIT_WRAPPER = r"\\(?:text|textrm|textnormal|mbox|mathrm|operatorname)\s*\{[^{}]*\}"
# `60 \frac{\text{km}}{\text{h}}`: a quotient of unit words is the unit `km/h`.
_UNIT_QUOTIENT = re.compile(
    r"\\[dt]?frac\s*\{\s*\\(?:text|textrm|mathrm)\s*\{(?P<over>[^{}]*)\}\s*\}"
    r"\s*\{\s*\\(?:text|textrm|mathrm)\s*\{(?P<under>[^{}]*)\}\s*\}"
)
_UNIT_TAIL = re.compile(
    rf"(?:\s|\\[,;: !]|~)*(?P<unit>(?:{_UNIT_WRAPPER}|(?<![A-Za-z\\])[A-Za-z]{{2,}}(?![A-Za-z(])"
    # `12 m^2`: a lone letter is a variable, but square and cubic metres end an answer.
    rf"|(?<![A-Za-z\\])m(?=\s*\^\s*\{{?\s*[23]\s*\}}?\s*\.?\s*$)"
    rf"|\^\s*\{{?\s*\\circ\s*\}}?|°|\\degree|(?<=\d)\s*(?:''?|[′″])|‰)"
    rf"(?:(?:\s|\\[,;: !]|~|/|\\cdot)*(?:{_UNIT_WRAPPER}|[A-Za-z]+(?![A-Za-z(]))"
    rf"|\^\s*\{{?-?\d\}}?|[²³])*)\s*[.]?\s*$"
)
# Words after a number that are no unit: functions, constants, the words of a list.
# Unit symbols of one letter (`5 \text{ m}`, `12\,\mathrm{V}`); any other lone letter is a factor.
_UNIT_LETTERS = frozenset("m g s h l L K V W J N A C T F H S B b".split())
_EXTREMA = frozenset("max maximum maximal min minimum minimal".split())
_NOT_UNITS = frozenset(
    "sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh log ln lg exp sqrt "
    "lim gcd lcm pi infty inf oo and or".split()
)
# What a unit's words may be made of: words, `/`, `^2`, `°`; never digits or punctuation
# that would make a list (`5 \text{, 6, 7}`).
_UNIT_WORDS = re.compile(r"(?:[a-z°‰\\.'/′″²³\s]|\^\s*(?:-?\d|\\circ))+")
_PERCENT_WORDS = frozenset({"percent", "per cent", "percentage", "percentage points", "pct"})

# A label before `=`: `x`, `x_1`, `f(3)`, `(m,n)`, `\theta`, `AB`.
_NAME = (
    r"(?!\\(?:log|ln|lg|exp|sqrt|sin|cos|tan|cot|sec|csc|arcsin|arccos|arctan)(?![A-Za-z]))"
    r"(?:\\?[A-Za-z]+|\\(?:text|mathrm)\s*\{[A-Za-z][A-Za-z ]*\})(?:_\{?[\w,]+\}?)?"
    r"(?:\^\{?(?:\*|\\ast|\\prime|'|-1)+\}?)?'*(?:\([^()=]*\))?"
)
_LABEL = re.compile(
    rf"^\s*(?:{_NAME}(?:\s*:\s*{_NAME})*"
    r"|\(\s*[A-Za-z](?:\s*,\s*[A-Za-z])+\s*\))\s*$"
)
_SPLIT_WORD = re.compile(
    r"\\(?:text|mbox)\{\s*(?:and|or)\s*\}|(?<![A-Za-z\\])(?:and|or)(?![A-Za-z])|\\q?quad"
)
_OR = re.compile(r"(?<![A-Za-z\\])or(?![A-Za-z])")
_PLUS_MINUS = re.compile(r"\\pm(?![A-Za-z])|±")
_MINUS_PLUS = re.compile(r"\\mp(?![A-Za-z])|∓")

# Plain sympy text (`exp(3)+1`, `pi/4`, `3*pi`, `sqrt(2)/2`, `x**2`).
_PLAIN_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?|[A-Za-z_]+|\*\*|[-+*/^(),])")
_PLAIN_FUNCTIONS = {
    "exp": r"\exp",
    "sqrt": r"\sqrt",
    "log": r"\ln",
    "ln": r"\ln",
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "asin": r"\arcsin",
    "acos": r"\arccos",
    "atan": r"\arctan",
    "arcsin": r"\arcsin",
    "arccos": r"\arccos",
    "arctan": r"\arctan",
    "Abs": "abs",
    "abs": "abs",
}
_PLAIN_CONSTANTS = {"pi": r"\pi", "E": "e", "oo": r"\infty", "inf": r"\infty", "I": "i"}
_PLAIN_HINT = re.compile(r"\*\*|\*|\b(?:pi|exp|sqrt|log|ln|sin|cos|tan|asin|acos|atan|oo|E)\b")
_LATEX_SYNTAX = re.compile(r"[\\{}$]")


@dataclass(frozen=True)
class Reading:
    r"""What an answer text states, read as meant.

    Attributes:
        items: the values, as LaTeX the parser reads as meant: one for a single value, several
            for a list of solutions (`1, 2`, `x = 1 \text{ or } x = 2`, `\frac{-2 \pm \sqrt7}{3}`).
        label: what the values are named (`x`, `(m,n)`), "" when unnamed.
        unit: the unit stated after the value, canonical (`meter`, `hour`), "" when none.
        chain: every further value an equation chain claims equal (`x = 5 = 6` states 5 and 6).
        approximations: the links of the chain that follow `\approx` (`\frac{\sqrt3}{3}
            \approx 0.577`): a rounding of the value, at the places it shows.
        unreadable: the text states no value as written (digits side by side, nothing shown).
        inequality: the value was written as an inequality (`x < 3` is `(-\infty, 3)`).
        ordered: the items are a sequence (`1, 2, \ldots, n`) or a ratio (`1:2:3`), compared in
            order; otherwise several items are a set of solutions.
        hedged: the text states a bound or a guess (`\geq 5`, `\text{at least } 5`) or a
            second answer (a box in the box), not a value.
        as_set: the items were written as a set (`\{1, 2\}`) or as the values one unknown
            may take (`x = 1 \text{ or } x = 2`, `x = 1, x = 2`, `1 or 2`): no tuple.
    """

    items: tuple[str, ...]
    label: str = ""
    unit: str = ""
    chain: tuple[str, ...] = ()
    approximations: tuple[str, ...] = ()
    unreadable: bool = False
    hedged: bool = False
    ordered: bool = False
    inequality: bool = False
    as_set: bool = False


def read(text: str, *, decimal_comma: bool = False) -> Reading:
    r"""Read an answer's text: its values, label, unit and equation chain.

    `decimal_comma`: read `2,75` as 2.75 (for a decimal reference, where it is unambiguous).

    >>> read(r"3 2/7").items
    ('\\frac{23}{7}',)
    >>> read(r"(m,n) = (4,1)").items, read(r"(m,n) = (4,1)").label
    (('(4,1)',), '(m,n)')
    >>> read(r"5 \text{ km}").unit, read("5 6").unreadable, read(r"\geq 5").hedged
    ('kilometer', True, True)
    >>> read(r"x = \frac13, x = \frac{-2 \pm \sqrt{7}}{3}").items
    ('\\frac13', '\\frac{-2 + \\sqrt{7}}{3}', '\\frac{-2 - \\sqrt{7}}{3}')
    """
    if len(text) > MAX_CHARS:
        return Reading((text,), unreadable=True)
    text = clean(text)
    if not text:
        return Reading((), unreadable=True)
    clock = _clock_time(text)
    if clock is not None:
        return Reading(clock, unit="time of day", ordered=True)
    if _SAYS_PERIOD.search(text):
        return Reading((text,), unreadable=True)  # a time we cannot read is no ratio
    interval = as_interval(text)
    if interval is not None:
        inequality = _MEMBER.fullmatch(text) is None
        return Reading((interval[1],), interval[0], inequality=inequality)
    if _LEADING_RELATION.match(text):
        return Reading((text,), hedged=True)
    if not _MODULUS.search(text):
        text = _CONGRUENT.sub("=", text)  # `8 \equiv 9` without a modulus is a chain
    # `x \approx 11` claims 11 as `=` would: a link of the chain, equal or wrong.
    pieces = _APPROXIMATE.split(text)
    approximations = tuple(top_level_split(piece, "=")[0].strip() for piece in pieces[1:])
    text = "=".join(pieces).lstrip("= ")
    if (
        _BOX.search(text)
        or QUALIFIER.search(text)
        or _LEADING_RELATION.match(text)
        or _WORDY_SUBSCRIPT.search(text)
    ):
        return Reading((text,), hedged=True)
    if _PROGRAM_LITERAL.search(text):
        return Reading((text,), unreadable=True)
    split = split_unit(text)
    if split is None:
        return Reading((text,), hedged=True)
    text, unit = split
    text = _CURRENCY.sub("", text)
    if _hedging_text(text):
        return Reading((text,), hedged=True)
    number = _one_number(text, decimal_comma)
    if number is not None:
        return Reading((number,), unit=unit)
    ratio = top_level_split(text, ":")
    if len(ratio) > 1 and "=" not in text and all(part.strip() for part in ratio):
        items = tuple(_value(part.strip()) for part in ratio)
        return Reading(items, unit=unit, unreadable=None in items, ordered=True)
    groups = top_level_split(text, ";")
    if len(groups) > 1 and all("=" in group for group in groups):
        # `p=5,q=2; p=7,q=2`: one solution of a system per group.
        solutions = [read(group) for group in groups]
        if all(len(solution.items) == 1 and not solution.chain for solution in solutions):
            items = _distinct(solution.items[0] for solution in solutions)
            return Reading(items, solutions[0].label, unit)
    parts = [split_label(part) for part in _list_items(text)]
    if any(_ELLIPSIS.fullmatch(part) for _, values in parts for part in values):
        items = tuple(_value(values[-1]) for _, values in parts)
        return Reading(items, unit=unit, unreadable=None in items, ordered=True)
    if len(parts) == 1:
        label, values = parts[0]
        if _hedging_label(label):
            return Reading((text,), hedged=True)  # `Wrong = 5`, `LowerBound = 5`, `x_{est} = 5`
        ratio = top_level_split(values[0], ":")
        if label and len(ratio) > 1 and all(part.strip() for part in ratio):
            items = tuple(_value(part.strip()) for part in ratio)
            return Reading(items, label, unit, unreadable=None in items, ordered=True)
        items = tuple(_value(item) for item in _expand(values[0]))
        chain = tuple(values[1:])
        approximated = tuple(link for link in chain if link in approximations)
        return Reading(items, label, unit, chain, approximated, unreadable=None in items)
    if any(len(values) > 1 for _, values in parts):
        return Reading((text,), unreadable=True)  # a chain inside a list
    labels = [label for label, _ in parts]
    bases = {re.sub(r"_.*|\W", "", label) for label in labels}
    if (
        all(labels)
        and len(set(labels)) == len(labels)
        and len(bases) == len(labels)
        and not _OR.search(text)  # `x = 2 \text{ or } y = 3` is no solution of a system
    ):
        # `x = 1, y = 2`: one solution of a system, a tuple in the labels' order
        # (`x_1 = 1, x_2 = 2` are the solutions of one equation: a set).
        ordered = sorted(parts, key=lambda part: label_key(part[0]))
        tuple_text = "(" + ", ".join(values[0] for _, values in ordered) + ")"
        tuple_label = "(" + ",".join(label for label, _ in ordered) + ")"
        return Reading((tuple_text,), tuple_label, unit)
    items = _distinct(_value(item) for _, values in parts for item in _expand(values[0]))
    label = bases.pop() if len(bases) == 1 and any(labels) else ""
    as_set = (
        _set_literal_body(text) != text
        or _OR.search(text) is not None
        or (bool(label) and not label.startswith("("))
    )
    return Reading(items, label, unit, unreadable=None in items, as_set=as_set)


def clean(text: str) -> str:
    """Drop what shows nothing (`\\phantom{5}`, struck-out content, currency signs), and read
    an upright e as Euler's number."""
    text = escaped_once(text)
    text = _drop_hidden(text)
    text = _DRAWN_PLUS_MINUS.sub(r"\\pm ", text)
    text = _unwrap(text)
    text = _DECORATION.sub(" ", text).translate(_UNICODE)
    text = _UPRIGHT_E.sub("e", text)
    text = _UPRIGHT_I.sub("i", text)
    text = _DEGREE_AS_O.sub(r"^\\circ", text)
    text = _INTEGER_PARAMETER.sub("", text)
    text = _EMPTY_SET.sub(r"\\emptyset", text)
    text = _trigonometric_degrees(text)
    text = _BASE_IN_PARENTHESES.sub(_digits_in_base, text)
    text = _THOUSANDS_SEPARATOR.sub(",", text)
    text = _REPEATING.sub(_repeating_fraction, text)
    text = _TYPED_PLUS_MINUS.sub(r"\\pm ", text)
    text = _PLUS_MINUS_SIGN.sub("-", text)  # `14.0 + -1.0i`
    text = _SCIENTIFIC.sub(r"\1 \\times 10^{\2}", text).strip()
    # `$\frac{1}{3}.$`: the sentence's full stop, not the answer's; `185\`: a stray backslash.
    text = text.rstrip().rstrip(".,;:").rstrip()
    if text.endswith("\\") and not text.endswith("\\\\"):
        text = text[:-1].rstrip()
    while text.startswith("{") and _matching_bracket(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    return _as_tuple(text)


def _trigonometric_degrees(text: str) -> str:
    r"""Degrees in the arguments of trigonometric functions as radians: `\sin 30^\circ` is
    `\sin \frac{30\pi}{180}`, `\cos(2 \cdot 18)^\circ` is `\cos(\frac{(2 \cdot 18)\pi}{180})`."""
    for function in reversed(list(_TRIGONOMETRIC.finditer(text))):
        if (function.group("power") or "").strip("{} ") == "-1":
            continue  # an inverse: its argument is a ratio
        start = function.end()
        if text.startswith(("(", "{"), start):
            end = _matching_bracket(text, start)
            if end is None:
                continue
            group = _GROUP_DEGREES.match(text, end + 1)
            if group:
                inside = text[start + 1 : end]
                text = rf"{text[:start]}(\frac{{({inside})\pi}}{{180}}){text[group.end() :]}"
                continue
            end += 1
        else:
            end = next(
                (
                    stop.start()
                    for stop in _ARGUMENT_END.finditer(text, start)
                    if stop.group() != "}"
                    or text.count("{", start, stop.start()) <= text.count("}", start, stop.start())
                ),
                len(text),
            )
        argument = _DEGREES.sub(r"\\frac{\1\\pi}{180}", text[start:end])
        text = text[:start] + argument + text[end:]
    return text


def _as_tuple(text: str) -> str:
    r"""A vector as a tuple: `\begin{pmatrix} 1 \\ 2 \end{pmatrix}`, a matrix of one row
    and `\langle 1, 2 \rangle` are `(1, 2)`, a label before it stays; anything else as it is."""
    angle = _ANGLE_BRACKETS.fullmatch(text)
    if angle and len(top_level_split(angle.group(1), ",")) > 1:
        return f"({angle.group(1).strip()})"
    matrix = _MATRIX.fullmatch(text)
    if not matrix or (matrix.group("kind") == "matrix" and not matrix.group("open")):
        return text
    rows = [row.split("&") for row in _ROW_BREAK.split(matrix.group("body"))]
    if rows and not "".join(rows[-1]).strip():
        rows.pop()  # a row break after the last row
    if len(rows) > 1 and all(len(row) == 1 for row in rows):
        cells = [row[0] for row in rows]
    elif len(rows) == 1 and len(rows[0]) > 1:
        cells = rows[0]
    else:
        return text
    if any(not cell.strip() or "\\begin" in cell or "=" in cell for cell in cells):
        return text  # `x = 3 \\ x = 4`: solutions stacked, not a vector's parts
    label = matrix.group("label") or ""
    return label + "(" + ", ".join(cell.strip() for cell in cells) + ")"


def _repeating_fraction(match: re.Match[str]) -> str:
    whole, fixed = match.group("whole").replace(",", ""), match.group("fixed")
    period = match.group("bar")
    if period is None:
        first = match.group("first") or match.group("bare_first")
        last = match.group("last") or match.group("bare_last") or ""
        period = first + (match.group("middle") or "") + last if last else first
        if not last and match.group("middle"):
            return match.group()  # digits after one dot: no notation we read
    numerator = int(whole + fixed + period) - int(whole + fixed or "0")
    denominator = (10 ** len(period) - 1) * 10 ** len(fixed)
    return rf"\frac{{{numerator}}}{{{denominator}}}"


def _clock_time(text: str) -> tuple[str, ...] | None:
    """Hours, minutes and any seconds of a time of day on a 24-hour clock (`8:34 PM` is 20
    and 34; `20:34:00` is 20 and 34); None when the text is no time, or may as well be a ratio
    (`3:45` without a period or seconds)."""
    clock = _CLOCK.fullmatch(text)
    if not clock:
        return None
    hour, minute, second = int(clock["hour"]), clock["minute"], clock["second"]
    period = (clock["wrapped"] or clock["period"] or "").lower()
    if period in ("noon", "midnight"):
        if hour != 12 or minute != "00":
            return None
        hour = 12 if period == "noon" else 0
    elif period:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if period[0] == "p" else 0)
    elif second is None or hour > 23:
        return None
    return (str(hour), minute) + ((second,) if second and second != "00" else ())


def _digits_in_base(match: re.Match[str]) -> str:
    digits = match.group("digits") or match.group("digits2")
    return f"{digits}_{{{match.group('base') or match.group('base2')}}}"


def escaped_once(text: str) -> str:
    r"""`\\frac{2}{3}` as `\frac{2}{3}`; a row break (`1 \\ 2`) stays one, as does one right
    after a number (`11 \\frac{5}{6}` is two rows, not a mixed number)."""
    return _ESCAPED_TWICE.sub(
        lambda match: (
            match.group()
            if _AFTER_NUMBER.search(text, 0, match.start())
            and _FRACTION_COMMAND.match(text, match.start())
            else "\\"
        ),
        text,
    )


def split_unit(text: str) -> tuple[str, str] | None:
    r"""(the value, its canonical unit) for `5 \text{ km}`, `30 hours`, `90^\circ`, `\$30`; the
    unit is "" when none. A percent stated in words stays the value's `\%`, a scale word is its
    factor (`5 \text{ thousand}`, `30 \text{ k}`). None when the words after the value make it
    another value or a bound (`5 \text{ squared}`, `5 \text{ tops}`, `5 \text{ six}`)."""
    text, currency = _split_currency(_UNIT_QUOTIENT.sub(r"\\text{ \g<over>/\g<under>}", text))
    match = _UNIT_TAIL.search(text)
    if not match or not text[: match.start()].strip():
        return text, currency
    raw = match.group("unit")
    words = re.sub(r"\\[A-Za-z]+\s*\{([^{}]*)\}", r"\1", raw)
    words = " ".join(re.sub(r"[{}~]|\\[,;: !]", " ", words).split()).replace("^ ", "^")
    folded = words.casefold()
    value = text[: match.start()].rstrip()
    if not re.search(r"\d|\\pi(?![A-Za-z])|π", value):
        return text, currency
    if RETRACTION.search(folded) or QUALIFIER.search(folded):
        return None
    tokens = re.findall(r"[a-z]+", folded)
    if raw.startswith("\\") and (
        not (tokens or re.search(r"[°‰′″']", words))
        or _NOT_UNITS.intersection(tokens)
        or re.search(r"\^\s*\{?\s*[^\d\s{\\-]", words)
        or any(
            len(token) == 1 and token not in _UNIT_LETTERS and token not in _SCALE
            for token in re.findall(r"[A-Za-z]+", words)
        )
    ):
        return None  # `5\text{ pi}`, `5\text{ }x^2`, `5\mbox{ i}`: text that hides a factor
    if _NOT_UNITS.intersection(tokens):
        return text, currency
    if not _UNIT_WORDS.fullmatch(folded):
        # `5\text{萬}`, `5 \text{ тыс.}`: words that are no unit we read, said of the value.
        return None if raw.startswith("\\") else (text, currency)
    if folded in _PERCENT_WORDS:
        return value + r"\%", currency
    scale, words = _scale(words)
    if scale:
        value = rf"{value} \cdot {scale}"
    if _changes_value(words):
        return None
    unit = canonical_unit(words) if words else ""
    return value, "/".join(part for part in (currency, unit.lstrip("/")) if part)


def _split_currency(text: str) -> tuple[str, str]:
    """(the amount, the currency) of `\\$30`, `€30`, `30€`; the currency is "" when none."""
    before = _CURRENCY_BEFORE.match(text)
    if before and text[before.end() :].strip():
        return before.group("sign") + text[before.end() :], _CURRENCY_SIGNS[before.group("sign_")]
    after = _CURRENCY_AFTER.search(text)
    if after and text[: after.start()].strip():
        return text[: after.start()], _CURRENCY_SIGNS[after.group("sign_")]
    return text, ""


def _scale(words: str) -> tuple[str, str]:
    """(the factor a leading scale word states, the words after it): `thousand km` is 1000
    and `km`; ("", words) without one."""
    for length in (2, 1):
        pieces = words.split(" ", length)
        key = " ".join(pieces[:length])
        factor = _SCALE.get(key) or (_SCALE.get(key.casefold()) if len(key) > 1 else None)
        if factor and len(pieces) >= length:
            return factor, " ".join(pieces[length:])
    return "", words


def _changes_value(words: str, *, unit: bool = True) -> bool:
    """Whether unit words make the value another value (`squared`, `negative`, `six`, `k`) or a
    bound (`tops`, `max`); `m squared` and `square metres` are units. With `unit`, any word of
    a sentence (`is`, `false`) is no unit either; text inside a value may join a list (`and`)."""
    tokens = words.split()
    if tokens and tokens[0].casefold() in _POWER_AFTER:
        return True
    if re.search(r"(?<![a-z])times\s+\S", words.casefold()):
        return True  # `5 times pi`; `5 times` counts
    return bool(_CHANGES_VALUE.search(words.casefold())) or any(
        is_number_word(token)
        or _SCALE.get(token)
        or (
            unit
            and len(token) > 1
            and token.casefold() not in _POWER_AFTER
            and names_no_unit(token)
        )
        for token in tokens
    )


def _keeps_case(symbol: str) -> bool:
    """Whether a unit's case tells it apart: `Mg` and `mg`, `MW` and `mW`, `MHz` and `mHz`
    (a capital after the first letter); `KM` and `Km` are kilometres as `km` is."""
    if _MEGA.fullmatch(symbol):
        return True
    if len(symbol) > 4 or not re.search(r"(?<=.)[A-Z]", symbol):
        return False
    return not (symbol.isupper() and symbol.casefold() in UNIT_NAMES)


def canonical_unit(words: str) -> str:
    """One spelling per unit: `km`, `kilometres` and `kilometers` are all `kilometer`; `Mg`
    (megagrams) is not `mg`."""
    folded = words.casefold()
    if "circ" in folded or folded in ("°", "\\degree", "degree", "degrees"):
        return "degree"
    parts = re.split(r"(\s*(?:/|\\cdot|per)\s*)", words)
    canonical = []
    for part in parts:
        word = part.strip()
        if not word or word in ("/", "per", "\\cdot"):
            canonical.append("/" if word in ("/", "per") else word)
            continue
        pieces: list[str] = []
        power = ""
        for piece in word.split():
            piece, _, exponent = piece.partition("^")
            if not _keeps_case(piece):
                piece = piece.casefold()
            if piece in _POWER_BEFORE and not exponent:
                power = _POWER_BEFORE[piece]  # `square metres`
                continue
            if piece in _POWER_AFTER and pieces and not exponent:
                pieces[-1] += f"^{_POWER_AFTER[piece]}"  # `metres squared`
                continue
            piece = UNIT_NAMES.get(piece, piece)
            if len(piece) > 3 and piece.endswith("s") and not piece.endswith("ss"):
                piece = piece[:-1]
            exponent = exponent.strip("{} ") or power
            power = ""
            pieces.append(UNIT_NAMES.get(piece, piece) + (f"^{exponent}" if exponent else ""))
        if power:
            pieces.append(next(word for word, p in _POWER_BEFORE.items() if p == power))
        canonical.append(" ".join(pieces))
    return "".join(canonical)


def split_label(text: str) -> tuple[str, list[str]]:
    """(the label, the values of the chain) of `x = 5`, `(m,n) = (4,1)`, `x = 2+3 = 5`; a text
    that is no equation is one value without label."""
    parts = top_level_split(text, "=")
    if len(parts) < 2 or any(not part.strip() for part in parts):
        return "", [text.strip()]
    first = parts[0].strip()
    if _LABEL.match(first):
        return " ".join(first.split()), [part.strip() for part in parts[1:]]
    if len(parts) == 2 and _letters(first):
        if _letters(first).isupper() and not _letters(parts[1]):
            # `\frac{NO}{BO} = \frac{1}{\sqrt6}`: what is asked for, named by its points.
            return " ".join(first.split()), [parts[1].strip()]
        return "", [text.strip()]  # an equation is the answer: `x + y = 3`
    return "", [part.strip() for part in parts]


def is_ellipsis(item: str | None) -> bool:
    return item is not None and bool(_ELLIPSIS.fullmatch(item.strip()))


def _distinct(items) -> tuple:
    """Each item once (`(3,17)` and `(3, 17)` are one), in order."""
    seen: dict = {}
    for item in items:
        seen.setdefault(None if item is None else re.sub(r"\s", "", item), item)
    return tuple(seen.values())


def _hedging_label(label: str) -> bool:
    """Whether a value's name says it is wrong, a bound, an estimate or another quantity
    (`Wrong`, `LowerBound`, `x_{est}`, `Half`); `Maximum` names what was asked."""
    return any(
        is_verdict(word) and word.lower() not in _EXTREMA
        for word in re.findall(r"[A-Z]?[a-z]+", label)
    )


def _hedging_text(value: str) -> bool:
    """Text inside the value (not all of it) that lists, hedges or bounds: `5 \text{, 6}`,
    `5 \text{ otherwise 6}`, `5\text{+}`; a lone `and` or `or` separates solutions."""
    for match in _WRAPPED_TEXT.finditer(value):
        words = match.group(1) if match.group(1) is not None else match.group(3)
        if match.group() == value.strip() or _SPLIT_WORD.fullmatch(match.group()):
            continue  # `x = 2 \text{ or } x = 3` lists the solutions, as `and` does
        if (
            re.search(r"[\d,;/+?()&]", words)
            or RETRACTION.search(words)
            or QUALIFIER.search(words)
            or _changes_value(words, unit=False)
        ):
            return True
    return False


def _unwrap(text: str) -> str:
    """`\textbf{5}` and its kin as their content."""
    while True:
        match = _EMPHASIS.search(text)
        if not match:
            return text
        end = _matching_bracket(text, match.end() - 1)
        if end is None:
            return text
        text = text[: match.start()] + text[match.end() : end] + text[end + 1 :]


def as_interval(text: str) -> tuple[str, str] | None:
    """(the variable, the interval) of a solution set written as an inequality in one variable
    or a membership (`x < 3` is `(-\\infty, 3)`); None for anything else."""
    built = _SET_BUILDER.fullmatch(text)
    if built:
        # `\{x \mid -1 < x < 2\}`: the set its condition describes.
        inner = as_interval(built.group("condition").strip())
        return inner if inner and inner[0] == built.group("var") else None
    parts = _OR_SPLIT.split(text)
    if len(parts) > 1:
        # `x < -2 \text{ or } x > 3`, `x<-2或x>3`: the union of the parts' intervals.
        intervals = [as_interval(part.strip()) for part in parts]
        if any(interval is None for interval in intervals):
            return None
        names = {name for name, _ in intervals}
        if len(names) != 1:
            return None
        return names.pop(), r" \cup ".join(interval for _, interval in intervals)
    member = _MEMBER.fullmatch(text)
    if member:
        return member.group("var"), member.group("set")
    if _NO_BOUND.search(text):
        return None  # `0 < x < 12.5 \text{ (perhaps 13)}`: read as the text it is
    two = _TWO_SIDED.fullmatch(text) or _TWO_SIDED_DOWN.fullmatch(text)
    if two:
        left = "[" if _closed(two.group("lrel")) else "("
        right = "]" if _closed(two.group("hrel")) else ")"
        return two.group("var"), f"{left}{two.group('low')}, {two.group('high')}{right}"
    one = _ONE_SIDED.fullmatch(text)
    if one:
        relation, bound = one.group("rel"), one.group("bound")
    else:
        flipped = _FLIPPED.fullmatch(text)  # `2 \ge x` is `x \le 2`
        if not flipped:
            return None
        relation, bound = _MIRROR.get(flipped.group("rel"), ""), flipped.group("bound")
        if not relation:
            return None
        one = flipped
    closed = _closed(relation)
    if re.fullmatch(_LESS, relation) or relation == "<=":
        return one.group("var"), f"(-\\infty, {bound}{']' if closed else ')'}"
    return one.group("var"), f"{'[' if closed else '('}{bound}, \\infty)"


def _closed(relation: str) -> bool:
    """Whether an inequality's relation includes its bound (`\\le`, `>=`, `≥`)."""
    return (
        relation in ("<=", ">=", "≤", "≥", "⩽", "⩾", "≦", "≧")
        or "le" in relation
        or "ge" in relation
    )


def label_key(label: str) -> str:
    """A label as compared: `x_{1}` is `x_1`, `(m, n)` is `(m,n)`."""
    return re.sub(r"[\s{}]", "", label)


def _letters(text: str) -> str:
    """The Latin letters of a text that are not LaTeX commands."""
    return "".join(re.findall(r"(?<![\\A-Za-z])[A-Za-z]+", text))


def _drop_hidden(text: str) -> str:
    while True:
        match = _HIDDEN.search(text)
        if not match:
            return text
        end = _matching_bracket(text, match.end() - 1)
        if end is None:
            return text[: match.start()]
        text = text[: match.start()] + text[end + 1 :]


def _matching_bracket(text: str, opening: int) -> int | None:
    """The index of the bracket that closes the brace, parenthesis or square bracket at
    `opening` (escaped ones aside), or None."""
    opener = text[opening]
    closer = _CLOSING_BRACKET[opener]
    depth = 0
    index = opening
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        depth += (char == opener) - (char == closer)
        if depth == 0:
            return index
        index += 1
    return None


def top_level_split(text: str, separators: str) -> list[str]:
    """Split at the separator characters outside any brackets, braces or `\\left…\\right`."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            command = re.match(r"\\(?:left|right|[{}])", text[index:])
            if command and command.group() in ("\\{",):
                depth += 1
            elif command and command.group() == "\\}":
                depth -= 1
            index += 2 if not command or command.group() in ("\\{", "\\}") else len(command.group())
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and char in separators:
            if char == "=" and (
                text[index + 1 : index + 2] == "=" or text[index - 1 : index] in "<>!"
            ):
                index += 2 if text[index + 1 : index + 2] == "=" else 1
                continue
            parts.append(text[start:index])
            start = index + 1
        index += 1
    parts.append(text[start:])
    return parts


def _list_items(text: str) -> list[str]:
    r"""The items of a list of solutions: `1, 2`, `\{1, 2\}`, `x = 1 \text{ or } x = 2`;
    a single value is one item. Tuples, intervals and matrices stay whole."""
    body = _set_literal_body(text.strip())
    joined = _SPLIT_WORD.sub(",", body)
    parts = [part.strip() for part in top_level_split(joined, ",;")]
    if _SPLIT_WORD.search(body):
        parts = [part for part in parts if part]  # `a, \quad b`: one separator
    if len(parts) < 2 or any(not part for part in parts):
        return [text.strip()]
    return parts


def _set_literal_body(text: str) -> str:
    r"""`1, 2` for `\{1, 2\}` (or `\left\{…\right\}`): a set's items are a list."""
    match = re.fullmatch(r"(?:\\left)?\\\{(.*?)(?:\\right)?\\\}", text, re.S)
    if not match:
        return text
    inner = match.group(1)
    depth = 0
    for token in re.findall(r"\\[{}]", inner):
        depth += 1 if token == "\\{" else -1
        if depth < 0:
            return text  # `\{1\} \cup \{2\}`: not one set
    return inner if depth == 0 else text


def _expand(item: str) -> list[str]:
    r"""`a \pm b` is the two values a + b and a - b."""
    if len(_PLUS_MINUS.findall(item)) + len(_MINUS_PLUS.findall(item)) != 1:
        return [item]
    plus = _MINUS_PLUS.sub("-", _PLUS_MINUS.sub("+", item))
    minus = _MINUS_PLUS.sub("+", _PLUS_MINUS.sub("-", item))
    return [plus, minus]


def _one_number(text: str, decimal_comma: bool) -> str | None:
    """The text as one plain number when it is one: `2,500.75` (thousands), `2,75` (a decimal
    comma, when `decimal_comma`); else None."""
    if _THOUSANDS.fullmatch(text):
        return text.replace(",", "")
    comma = _DECIMAL_COMMA.match(text) if decimal_comma else None
    if comma:
        whole, fraction = comma.group(1, 2) if comma.group(1) else comma.group(3, 4)
        return f"{whole}.{fraction}"
    return None


def _value(item: str) -> str | None:
    """One value as the parser should read it; None when it states no value as written."""
    mixed = _MIXED.match(item)
    if mixed:
        numerator = mixed.group("num") or mixed.group("lnum")
        denominator = mixed.group("lden") or mixed.group("den")
        whole = int(re.sub(r"\D", "", mixed.group("whole")))
        if 0 <= int(numerator) < int(denominator):
            value = rf"\frac{{{whole * int(denominator) + int(numerator)}}}{{{denominator}}}"
            sign = "-" if mixed.group("sign") == "-" else ""
            return sign + value + (r"\%" if mixed.group("percent") else "")
    if _TWO_LINES.search(item) or _PROGRAM_LITERAL.search(item):
        return None
    if _APART_DIGITS.search(join_digit_groups(item)) or _bare_group_apart(item):
        return None
    if not _LATEX_SYNTAX.search(item) and _PLAIN_HINT.search(item):
        return plain_to_latex(item) or item
    return item


def _bare_group_apart(item: str) -> bool:
    r"""Whether digits or a fraction stand apart once the brace groups that are no command's
    argument are read as the grouping they are: `5 {6}`, `{5}{6}`, `11 {\frac{5}{6}}`."""
    if "{" not in item:
        return False
    closing = {}
    stack: list[int] = []
    for token in re.finditer(r"\\.|[{}]", item):
        if token.group() == "{":
            stack.append(token.start())
        elif token.group() == "}" and stack:
            closing[stack.pop()] = token.start()
    bare = []
    argument_ends: set[int] = set()
    for opening in sorted(closing):
        before = item[:opening]
        if _ARGUMENT_BEFORE.search(before) or (
            before.rstrip() and len(before.rstrip()) - 1 in argument_ends
        ):
            argument_ends.add(closing[opening])
        else:
            bare += [opening, closing[opening]]
    if not bare:
        return False
    opened = "".join(" " if index in bare else char for index, char in enumerate(item))
    return bool(
        _APART_DIGITS.search(join_digit_groups(opened)) or re.search(r"\d\s+\\[dt]?frac", opened)
    )


_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:(?:\\[,;: !]|~| )\d{3})+(?!\d)")
_GROUP_SEPARATOR = re.compile(r"\\[,;: !]|~| ")


def join_digit_groups(text: str) -> str:
    """Digit groups joined by a (thin) space as one number: `1\\,000` and `1 000` are 1000,
    where the parser would read a product (1 * 000 = 0)."""
    return _GROUPED.sub(lambda number: _GROUP_SEPARATOR.sub("", number.group()), text)


def plain_to_latex(text: str) -> str | None:
    """`exp(3)+1` → `\\exp(3)+1`, `sqrt(2)/2` → `\\sqrt{2}/2`, `x**2` → `x^{2}`: plain sympy
    text as LaTeX; None when the text holds anything else."""
    tokens = []
    position = 0
    while position < len(text.rstrip()):
        match = _PLAIN_TOKEN.match(text, position)
        if not match:
            return None
        tokens.append(match.group(1))
        position = match.end()
    out: list[str] = []
    closers: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token in _PLAIN_FUNCTIONS and following == "(":
            name = _PLAIN_FUNCTIONS[token]
            if name == "abs":
                out.append(r"\left|")
                closers.append(r"\right|")
            elif name == r"\sqrt":
                out.append(r"\sqrt{")
                closers.append("}")
            else:
                out.append(name + "(")
                closers.append(")")
            index += 2
            continue
        if token in ("(",):
            closers.append(")")
            out.append("(")
        elif token == ")":
            if not closers:
                return None
            out.append(closers.pop())
        elif token in ("**", "^"):
            if following == "(":
                out.append("^{(")
                closers.append(")}")
                index += 2
                continue
            out.append("^")
        elif token == "*":
            out.append(r" \cdot ")
        elif token in _PLAIN_CONSTANTS:
            out.append(_PLAIN_CONSTANTS[token] + " ")
        elif token.isalpha() and len(token) > 1:
            return None  # an unknown name: not plain arithmetic
        else:
            out.append(token)
        index += 1
    if closers:
        return None
    return "".join(out).strip()
