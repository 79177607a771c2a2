"""Final-answer extraction: which part of a response counts as its answer.

These rules decide rewards, so they are where reward hacking is fought (DESIGN.md,
"Final-answer rules"). Every function here is linear in the response length: a 200 kB
adversarial response full of unclosed tags must not turn extraction quadratic.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import Enum

from reward_service.scores import Reason

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
ANSWER_OPEN = "<answer>"
ANSWER_CLOSE = "</answer>"
_FENCE = "```"

_BOX_COMMAND = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])")
# Every command that draws a box around something: one we do not read is a second answer.
_ANY_BOX = re.compile(
    r"\\(?!(?:m|h|v|par|make|raise|save|s|use)box(?![^\W\d_])|[bB]ox(?:times|plus|minus|dot)?(?![^\W\d_]))"
    r"[^\W\d_]*[bB][oо][xх][^\W\d_]*"
    r"|\\(?:enclose|textcircled|circled)(?![A-Za-z])"
)
_BRACE_TOKEN = re.compile(r"\\.|[{}]", re.S)
_UNESCAPED_BRACE = re.compile(r"[{}]")
_BRACE_OR_BOX = re.compile(r"\\\\|\\[{}]|[{}]|\\(?:boxed|fbox)(?![A-Za-z])")
_COMMAND_BEFORE = re.compile(r"\\([A-Za-z]+)\s*(?:\[[^\]]*\])?\s*$")
# Groups that show what they hold: emphasis, size and plain braces.
_SHOWING = frozenset(
    """ textbf mathbf bm boldsymbol displaystyle textstyle large Large LARGE huge Huge underline
    textit mathit emph text mathrm boxed fbox""".split()
    + [""]
)
_COLOURED = re.compile(r"\\(?:color|textcolor|colorbox|fcolorbox)\s*\{[^{}]*\}\s*\{?\s*$")
_BARE_BOX_ARGUMENT = re.compile(r"\s*([^\s${}\\]+)")
_SENTENCE_END = ".,;:!?"
_LEADING_PUNCTUATION = ",;:!?"

# CJK text is words, whitespace or not: "答案是3或4" is the tokens 答案是, 3, 或, 4.
_CJK_CHARS = r"\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff5f-\uffef"
_CJK = re.compile(rf"[{_CJK_CHARS}]+")
# Prose: a word of three letters or more that is no LaTeX command, two short words in a row
# ("It is"), or CJK text.
_PROSE = re.compile(
    rf"(?<![\\A-Za-z])(?:[A-Za-z]{{3,}}|[A-Za-z]{{2}}\s+[A-Za-z]{{2,}}(?![A-Za-z]))|[{_CJK_CHARS}]"
)
_TEXT_COMMAND = re.compile(
    r"\\(?:text(?:bf|rm|sf|it|tt|up|sl|sc|md|normal)?|math(?:rm|bf|sf|tt|it)|mbox|hbox"
    r"|operatorname|emph|begin|end)\s*\{([^{}]*)\}"
)
# Exponents and subscripts (`cm^{2}`, `x_1`): no claims of their own.
_SCRIPT = re.compile(r"[\^_](?:\{[^{}]*\}|\w)")
_MATH_OPENER = re.compile(r"\$\$|(?<!\\)\$|\\\(|\\\[")
_MATH_CLOSER = {"$$": "$$", "$": "$", "\\(": "\\)", "\\[": "\\]"}
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_CJK_NUMERALS = "零〇二三四五六七八九十百千万亿"
_WORD = re.compile(rf"[A-Za-z]+|[{_CJK_NUMERALS}]+")
_CJK_NUMBER = re.compile(rf"[{_CJK_NUMERALS}]+")
_TOKEN = re.compile(
    rf"[{_CJK_NUMERALS}]+|(?:(?![{_CJK_NUMERALS}])[{_CJK_CHARS}])+|[^\s{_CJK_CHARS}]+"
)
_LETTER_RUN = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")
# Numbers in words are values too: "5 or six" states two.
_NUMBER_WORD = re.compile(
    r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty"
    r"|ninety|hundred|thousand|million|billion|zero"
    r"|(?=[MDCLXVI]*[IVXL])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"
    r"|[零〇二三四五六七八九十百千万亿]+",
)
# Roman numerals of two letters or more are numbers, not names (`VI`; `CD` stays a segment).
_ROMAN = re.compile(
    r"(?=\w*[IVXL])(?=\w{2})M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
)
_MATH_SYMBOL = re.compile(r"[\\^_=+\-*/<>()\[\]{}|%]")
_MATH_WORDS = frozenset(
    "sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh log ln lg exp sqrt "
    "lim max min gcd lcm mod pi".split()
)
_ENGLISH_LETTERS = frozenset({"a", "A", "I"})
# Letters that name unknowns, not units: `\boxed{5} x` is 5x.
_VARIABLES = frozenset("xyznkei")
_DECORATION = "*\"'`"
_MARKDOWN_WRAPPED = re.compile(r"(\*\*|__)(.+)\1", re.S)
# A bound or a guess states no value: "at least 5" is every number from 5 up.
QUALIFIER = re.compile(
    r"(?<![A-Za-z\\])(?:at\s+(?:least|most|minimum|maximum)|(?:no\s+)?(?:more|less|fewer|greater"
    r"|larger|smaller|bigger|higher|lower)\s+than|up\s+to"
    r"|(?:a\s+)?(?:minimum|maximum)\s+of(?=\s*(?:(?:\$+|\\[(\[])\s*)?[-+]?\d)"
    r"|or\s+(?:more|less|fewer|so|above|below|higher|greater|larger|lower|smaller|over|under)"
    r"|and\s+(?:up|above|over|more|higher)|not\s+(?:sure|certain)|i\s+(?:think|guess|believe)"
    r"|maybe|perhaps|possibly|probably|guess"
    r"|at\s+(?:the\s+)?very\s+(?:least|most)|(?<!least\s)(?<!greatest\s)(?:upper|lower)\s+bound"
    r"|and\s+an?\s+(?:half|third|quarter)|as\s+(?:many|much|few|little|high|low|large|small)\s+as"
    r"|in\s+excess\s+of|(?:upwards|north|south|shy|short)\s+of|on\s+the\s+order\s+of|at\s+best"
    r"|at\s+worst|give\s+or\s+take|plus\s+or\s+minus|ballpark|in\s+the\s+(?:region|vicinity"
    r"|neighbou?rhood)\s+of|(?:a\s+(?:bit|little)|just|slightly)\s+(?:over|under|more|less|above"
    r"|below|shy)"
    r"|(?:over|under|below|above|about|around|approx\.?|approximately|roughly|nearly|almost|within|circa"
    r"|near|close\s+to|capped\s+at|somewhere\s+(?:near|around)"
    r"|exceeds?|exceeding|surpass(?:es|ing)?|bounded\s+by)(?=\s*(?:(?:\$+|\\[(\[])\s*)?[-+]?\d))(?![A-Za-z])"
    r"|至少|至多|最多|最少|不超过|不少于|不低于|不高于|以上|以下|可能|也许|大于|小于|超过|不到"
    r"|约|大约|或更多|左右|以内|将近|差不多|大概",
    re.I,
)
# Words after the final answer that take it back or hedge it: "\boxed{7}. Wait, it is 8."
RETRACTION = re.compile(
    r"(?<![A-Za-z])(?:or|wait|wrong|incorrect|mistaken?|not|actually|alternatively|alternative"
    r"|instead|however|but|unless|unsure|uncertain|either|rather|correction|oops|otherwise"
    r"|also|could|might|may|another|else|approx|approximately|roughly|about|around|estimated?"
    r"|hmm|double-check|sure|certain|rejected|retracted|withdrawn|void|falsch|faux|nicht|nein"
    r"|non|falso|falsa|sbagliato|errado|incorrecto)(?![A-Za-z])|[?？]"
    r"|或|不对|错|不是|其实|应该|但|也|或许",
    re.I,
)
# Doubt about a stated answer, wherever it is said: "5 (low confidence)", "I reckon 5",
# "Is it 5?", "5. Scratch that".
DOUBT = re.compile(
    r"(?<![A-Za-z])(?:wrong|incorrect|mistaken?|error|unsure|uncertain|unless|unverified"
    r"|verif(?:y|ied|ication)|confiden(?:ce|t)|tentative(?:ly)?|guess(?:ing|es|timate[sd]?)?"
    r"|reckon|suspect|allegedly|arguably|idk|tbc|tbd|environ|etwa|ungefähr|vielleicht"
    r"|incorrect[oa]s?|incorret[oa]s?|errad[oa]s?|errat[oa]|sbagliat[oa]|fals[oa]s?|salah|keliru"
    r"|yanlış|hatalı|неверно|неправильно|ошибочно|błędn[aey]|fałszyw[aey]"
    r"|peut-être|tal\s+vez|forse|talvez|наверное|возможно|conceivably|plausibly|falsch|faux|fout"
    r"|retracted|rejected|withdrawn"
    r"|estimated?|likely|unlikely|might|perhaps|maybe|possibly|probably|hmm+|wait|actually"
    r"|scratch|ignore|disregard|typo|erratum|never\s+mind|revised?|update[d]?|correction"
    r"|oops|nope|ish|fingers|unclear|doubt(?:ful)?|hopefully|assuming|if|ou|quiz[aá]s"
    r"|could\s+(?:also\s+)?be(?=\s*(?:(?:\$+|\\[(\[])\s*)?[-+]?\d)"
    r"|i(?:'d|\s+would)\s+say|let(?:'s|\s+(?:us|me))\s+say"
    r"|not\s+(?:[\w%]+\s+){0,2}?(?:sure|certain|confident)|coin\s*flip|best\s+(?:shot|guess)|gut"
    r"|hunch|unchecked|untested|don'?t\s+quote|odds\s+are|(?:my|i)\s+bet|presumably|supposedly|seemingly|apparently"
    r"|peut-[eê]tre|probablement|vielleicht|wahrscheinlich|vermutlich|eventuell|forse"
    r"|probabilmente|talvez|tal\s+vez|quiz[aá]|probablemente|misschien|waarschijnlijk"
    r"|provavelmente|far\s+from\s+(?:sure|certain)|возможно|наверное|может\s+быть|belki"
    r"|mungkin|có\s+lẽ)(?![A-Za-z])|估计|好像|似乎|大约|おそらく|かもしれ|だろう"
    r"|[?？¿⁇❓🤷🤔]|不确定|不一定|重新|可能|也许|大概|或许|也行|也可以|也对|都行|都可以"
    r"|たぶん|多分|아마",
    re.I,
)
# Before an answer, besides the guesses: words that call it wrong ("Common mistake: \boxed{5}").
# Of the doubts, the conditions are working ("If x = 2, then \boxed{5}").
_DOUBT_BEFORE = re.compile(
    r"(?:(?<![A-Za-z])(?:wrong|incorrect|mistakes?|mistaken|false|typo|trap|decoy|distractor"
    r"|bogus|fake|suspect|reckon|unsure|uncertain|shot|hunch|gut|coin\s+flip|low\s+confidence"
    r"|naive|reject(?:ed)?|erroneous|invalid|discard(?:ed)?|faux|fausse|falsch|falso|falsa"
    r"|errado|errato|sbagliato|incorrecto|неверн\w*|неправильн\w*|candidates?|placeholder"
    r"|conjectur\w*|unproven|superseded|outdated|obsolete|previous|draft|tentative|provisional"
    r"|preliminary|guess(?:ed)?|estimate[ds]?|suppose|supposing|assume|assuming|hypothetically"
    r"|were)(?:\s+[A-Za-z]+){0,3}"
    r"|[❌✗✘🚫⛔]|(?:错误|錯誤|間違)[\u3040-\u30ff\u4e00-\u9fff]{0,4}"
    r"|(?<![A-Za-z])(?:might|could|may)\s+(?:also\s+)?be)[\s:：,*_—–$-]*$",
    re.I,
)
# Arithmetic said in words on a value: `5 times pi`, `e to the 5`, `5 divided by x`.
_ARITHMETIC_IN_WORDS = re.compile(
    r"(?<![A-Za-z])(?:times|divided\s+by|to\s+the(?:\s+power(?:\s+of)?)?)\s*"
    r"(?:\$|\\|\d|[A-Za-z](?![A-Za-z])|pi(?![A-Za-z]))",
    re.I,
)
# Approximation right before an answer: a rounded decimal may be so announced
# ("approximately \boxed{16386.16}"); any other value is then an estimate.
_APPROXIMATELY_BEFORE = re.compile(
    r"(?:(?<![^\W\d_])(?:approximately|approx\.?|roughly|about|around|circa|ca\.|c\.|nearly|almost"
    r"|около|приблизительно|примерно|aproximadamente|approximativement|approssimativamente"
    r"|ungefähr|etwa|environ|khoảng|yaklaşık|sekitar|およそ|約|约|大约|大概|대략|약)|(?<!\S)~|≈)"
    r"[\s:：,*_$]*$",
    re.I,
)
_DECIMAL_VALUE = re.compile(r"\s*[-+]?\d*\.\d+\s*")
_CONDITION = re.compile(
    r"if|assuming|verif(?:y|ied|ication)|update[d]?|revised?|estimated?|error"
    r"|actually|correction",
    re.I,
)
_NEAR_ANSWER = 24
# How far back the patterns anchored at the answer look (a bound, a relation, a label and up
# to three words after it).
_END_OF_SENTENCE = 120
_WORD_CHAR = re.compile(r"\w")
_EXCLAMATION_AFTER_MATH = re.compile(r"^(\s*(?:\$+|\\\)))\s*!")
# A line that only labels what follows it: "Final:", "**Answer:**", "Writing it in a box:".
_LABEL_LINE = re.compile(r"[\s*_#>]*[^\W\d_][^\d$\\=]{0,40}?:[\s*_]*")
_LINES_BACK = 3
_MATH_CLOSE = re.compile(r"(?:\s|\$|\*\*|\\[)\],;:! ]|\\q?quad(?![A-Za-z])|~|\})*")
_LEADS_INTO_ANSWER = re.compile(r"(?:=|\\in|\\approx|\\equiv|:)\s*$")
# A box inside an expression: `-\boxed{5}`, `\frac{1}{\boxed{5}}`, `\boxed{5}!`, `\boxed{5}^2`.
_IN_EXPRESSION_BEFORE = re.compile(
    r"(?:[-+/^_{\d]|(?<![\\*])\*|(?<!\\)\(|\\(?:cdot|times|div|sqrt|frac|dfrac|tfrac|log|ln|lg|exp"
    r"|sin|cos|tan|cot|sec|csc|arcsin|arccos|arctan|lor|vee|mid)(?![A-Za-z])"
    # `$4, 5, \boxed{6}$`, `[4, 5, \boxed{6}]`, `4 vs 5 vs \boxed{6}`: a list the box ends.
    r"|\d\s*[,;]|(?<![A-Za-z])vs\.?)[ \t]*$"
)
_IN_EXPRESSION_AFTER = re.compile(
    r"[ \t]*(?:!|\^(?![ \t]*\{?[ \t]*\\circ)|[_'/+]|-(?=[ \t]*[\d\\(])|\d"
    r"|\\(?:cdot|times|div|sqrt|frac|dfrac|tfrac|pi|prime)(?![A-Za-z])|[½¼¾²³])"
)
# Relations that bound or approximate what follows them: `\geq`, `\succeq`, `⩾`, `&gt;`, `\sim`.
RELATION = (
    r"(?:\\(?:n?[lg]eq?(?:q|slant)?|[lg]neqq?|n?(?:less|gtr|succ|prec)[a-z]*|[lg]t|n?sim|simeq"
    r"|n?approx(?:eq)?|n?cong|thick(?:sim|approx)|backsim|eqsim|doteq|neq?|ll|gg|lll|ggg|propto"
    r"|asymp|not\s*(?:[=<>]|\\[A-Za-z]+)|text(?:greater|less))(?![A-Za-z])"
    r"|\\text\s*\{\s*[<>≤≥]\s*\}|&(?:[lg]t|[lg]e|ne|asymp);|[<≈≠≤≥≦≧≨≩≪≫≮≯≰≱≲≳≴≵≶≷≺≻≼≽≾≿⊀⊁⋜⋝"
    r"⋞⋟⋠⋡⋦⋧⋨⋩⩽⩾⪅⪆⪇⪈⪉⪊⪋⪌⪕⪖⪯⪰∼∽≁≂≃≄≅≆≇≉≊≋≌≍≐≑≒≓∝]|[<>]=|=[<>]|(?<![\w/\"'])>|!=)"
)
# A relation right before a box bounds it: `x \geq \boxed{5}`, `≈\boxed{5}` (`\equiv` and `\in`
# lead into the answer: `n \equiv \boxed{3} \pmod 7`).
_RELATION = re.compile(RELATION)
_RELATION_BEFORE = re.compile(rf"{RELATION}[\s$]*$")
# A bound right before a box: `Under \boxed{5}`, `capped at \boxed{5}`, `Mindestens \boxed{5}`;
# "approximately \boxed{16386.16}" claims the rounded value and is no bound.
_BOUND_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:under|over|below|above|capped\s+at|exceed(?:s|ing)?|within|(?:upwards"
    r"|north|south|shy|short)\s+of|in\s+excess\s+of|bounded\s+by|at\s+(?:least|most)|up\s+to"
    r"|at\s+(?:a|the)\s+(?:minimum|maximum)|nearly|almost|minimally|maximally|(?:not\s+|no\s+)?(?:more|less|fewer"
    r"|greater|larger|smaller|higher|lower)\s+than|mindestens|h[öo]chstens|wenigstens|knapp|fast"
    r"|über|unter|au\s+(?:moins|plus)|(?:plus|moins)\s+de|presque|al\s+menos|por\s+lo\s+menos"
    r"|como\s+m[ií]nimo|como\s+m[aá]ximo|a\s+lo\s+sumo|(?:más|menos)\s+de|casi|almeno"
    r"|al\s+massimo|quasi|pelo\s+menos|no\s+m[ií]nimo|no\s+m[aá]ximo|quase|не\s+(?:менее|более)"
    r"|как\s+(?:минимум|максимум)|более|менее|почти|примерно|около|mehr\s+als|weniger\s+als"
    r"|plus\s+que|moins\s+que|ít\s+nhất|nhiều\s+nhất|co\s+najmniej|co\s+najwyżej|en\s+az"
    r"|en\s+fazla|больше|меньше|多于|少于|大于|小于|超过|不到|至少|至多|最多|最少|不少于|不超过|不低于"
    r"|不高于|将近|接近|少なくとも|적어도)[\s$:,，：]*$",
    re.I,
)
# "Or" and the numbers to ten in the languages models answer in: closed classes, so a finite list.
_FOREIGN_OR = (
    r"oder|bzw|beziehungsweise|o|ou|ó|soit|oppure|ovvero|ossia|или|либо|eller|lub|albo|veya"
    r"|ya\s+da|atau|hoặc|nebo|vagy|tai|sau|أو|یا|या"
    r"|または|もしくは|还是|或是|或者|또는|혹은"
)
# The same, in the sentence that leads to a box: "It is 3 or 4 or \boxed{5}".
_HEDGE_BEFORE = re.compile(
    rf"(?<![^\W\d_])(?:or|not|never|maybe|perhaps|possibly|probably|either|{_FOREIGN_OR})"
    r"(?![^\W\d_])|或|不是",
    re.I,
)
# Two boxes joined as solutions are ("$x = \boxed{1}$ or $x = \boxed{-3}$"): the boxes are
# the answer together, a set that a single-valued reference never equals.
_SOLUTIONS_JOINED = re.compile(
    rf"(?:\s|\$|\\[()\[\]])*+,?\s*+(?:(?P<or>or|{_FOREIGN_OR}|或)|and|和)(?:\s|\$|\\[()\[\]])*+"
    r"(?:[A-Za-z](?:_\{?\w+\}?)?\s*+=\s*+)?",
    re.I,
)
# "The largest prime less than 100 is \boxed{97}", "The number of red or blue balls not in
# the box is": a description of what was asked, ending in the verb that gives the answer,
# restates the question. A bound with a value of its own, "or" between two words and "not"
# before a word describe the question's objects there; said of the answer ("the answer is at
# least 5, so it is"), next to a value ("3 or 4") or with doubt, they still hedge.
_THE = re.compile(r"(?<![A-Za-z])the\s+", re.I)
_COPULA = re.compile(r"\s(?:is|are|equals|=)(?![A-Za-z])", re.I)
_CLAUSE_BREAK = re.compile(r"[.!?;\n]")
_VALUE_OR_MATH = re.compile(r"[\d$\\]")
# In a subject after an answer marker, what states a value of its own: a value right after the
# subject's noun ("the sum 96", "the value seven"), punctuation or a verb that sets a value apart
# ("the sum, 7,", "(7)", "x = 7", "which is 7", "namely 7", "equal to 7"), a clause joined to it,
# or a relation in math not led by a condition ("when $x = 3$", "the equation $ax + 2 = 11$").
_SUBJECT_MATH = re.compile(r"\$[^$]*\$|\\\(.*?\\\)")
_SUBJECT_LIST = re.compile(r"M(?:\s*+,\s*+M)+(?:\s*+,?\s*+and\s+M)?")
_SUBJECT_CLAIM = re.compile(
    r"[,;:()\[\]—–=≈~<>]|\\[A-Za-z]|[^\x00-\u024f]|(?<![A-Za-z])(?:(?:is|are|was|were|be)"
    r"(?!\s+[A-Za-z]+(?:ed|en)(?![A-Za-z]))|equals?|which|namely|i\.e|approximately|approx|about"
    r"|roughly|but|and|or|so|whereas|while|then)(?![A-Za-z])",
    re.I,
)
_RELATION_IN_MATH = re.compile(r"[=<>]|\\(?:approx|neq|leq?|geq?|sim)(?![A-Za-z])")
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\s*+$")
_CONDITION_WORDS = frozenset("when if where with for given equation equations that such".split())


def _claims_in_subject(subject: str) -> bool:
    """Whether the subject of a sentence after an answer marker states a value of its own."""
    words = subject.split()
    if len(words) > 1 and (_VALUE_OR_MATH.match(words[1]) or is_number_word(words[1].strip(".,"))):
        return True
    for math in _SUBJECT_MATH.finditer(subject):
        led_by = _WORD_BEFORE.search(subject, max(0, math.start() - 32), math.start())
        if _RELATION_IN_MATH.search(math.group()) and not (
            led_by and led_by.group(1).lower() in _CONDITION_WORDS
        ):
            return True
    plain = _SUBJECT_LIST.sub("M", _SUBJECT_MATH.sub("M", subject))
    return bool(_SUBJECT_CLAIM.search(plain))


# The words a value in a restated question follows: "less than 100", "divisible by 3 or 5",
# "between 1 and 100", "the first 10 primes"; any other value there is a claim of its own.
_OBJECT_WORDS = frozenset(
    "than least most by of from between under over below above within exceed exceeds exceeding"
    " first last".split()
)
# ... and the words that go on from such a value ("between 1 and 100", "from 1 to 100", "by 3
# or 5"); "the answer equal to 19" is no object of the question.
_OBJECT_LINKS = frozenset("and or to".split())
_POSSESSIVE = r"|'s(?![A-Za-z])"
# Words that make another value of the one they are said of.
_CHANGING = (
    "negative|minus|twice|thrice|double|triple|half|square|cube|root|factorial|inverse"
    "|reciprocal|opposite|power"
)
# "The answer corrected to 19 is": what is said of the answer before the verb that gives it.
_NAMED_ANSWER = re.compile(
    r"(?<![A-Za-z])the\s+(?:final\s+|correct\s+)?(?:answer|result|solution)(?![A-Za-z])", re.I
)
# ... or a quantity made from the answer: "half the answer", "the answer's reciprocal".
_DERIVED = re.compile(
    rf"(?<![A-Za-z])(?:{_CHANGING}|squared|cubed|digits?|remainder|percent|fraction|logarithm|log"
    r"|sum|product|difference|quotient)(?![A-Za-z])" + _POSSESSIVE,
    re.I,
)
_CLAUSE_START = re.compile(r"[,;:]")
_DERIVED_ANSWER_TOKEN = re.compile(
    rf"(?P<clause>[,;:])|(?P<named>{_NAMED_ANSWER.pattern})"
    rf"|{_DERIVED.pattern.removesuffix(_POSSESSIVE)}",
    re.I,
)
# A number there other than one that names the part asked ("the answer to part 2 is").
_VALUE_OF_ITS_OWN = re.compile(
    r"(?<!part\s)(?<!question\s)(?<!problem\s)(?<!step\s)(?<!case\s)(?<!item\s)(?<!no\.\s)"
    r"(?<![\w#.])\d"
)
# What the answer is called is no question restated: "the answer at least 17 is".
_ANSWER_SUBJECT = re.compile(
    r"(?:(?:final|correct|right|true|actual|real)\s+)?(?:answer|result|solution|output|response)s?"
    r"(?![A-Za-z])",
    re.I,
)
_SUBJECT_TOKEN = re.compile(r"\$[^$]*\$|\\\(.*?\\\)|[-+]?\d[\d,.]*|[^\W\d_]+")
_OWN_WORDING = re.compile(
    r"(?<![A-Za-z\d])(?P<lead>(?P<before>[A-Za-z]+|\d+)\$?)\s+(?:(?P<bound>(?:not\s+)?(?:at\s+(?:least|most)|up\s+to|(?:more|less"
    r"|fewer|greater|larger|smaller|bigger|higher|lower)\s+than|over|under|below|above"
    r"|exceed(?:s|ing)?|within))(?=\s*(?:\$|\\\(|[-+]?\d|(?P<word>[A-Za-z]+)))"
    r"|(?P<or>or)\s+(?=(?P<after>[A-Za-z]+|\d+))|not\s+(?=(?P<negated>[a-z]{3,})))",
    re.I,
)
_COPULAS = frozenset("is are was were be been being equals".split())
_VALUE_WORDS = frozenset("one once twice thrice".split())
# Before a named final answer, only a guess hedges: "which is not divisible by 3" is working.
_GUESS_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:or|maybe|perhaps|possibly|probably|either)(?![A-Za-z])|或", re.I
)
# Words that make the value next to them another value: "negative 5", "half of 10", "the square
# root of 16", "twice 5"; "5 squared", "5 factorial", "5 tops", "5-ish", "5k".
_CHANGED_BEFORE = re.compile(
    rf"(?<![A-Za-z\\])(?:{_CHANGING}|plus|times|sqrt|max|maximum|min|minimum)"
    r"(?:\s+(?:of|the|a|an|by|to)(?![A-Za-z]))*\s*(?:(?:\$+|\\[(\[])\s*)?[-+]?\d",
    re.I,
)
_AFTER_WORDS = (
    r"negative|minus|plus|squared|cubed|factorial|inverse|reciprocal|max|maximum|maximal"
    r"|minimum|minimal|tops|ish|upwards?|downwards?|onwards?|dozens?|k|bn|mn|mil|tn|thou|grand|score"
    r"|gross|myriads?|lakhs?|lacs?|crores?|mio|mrd|ppm|ppb|bps|per\s+mille|basis\s+points?"
    r"|halves|thirds|quarters|tenths|hundredths|thousandths|half|third|quarter|fourths?|fifths?"
    r"|sixths?|sevenths?|eighths?|ninths?|elevenths?|twelfths?|twentieths?|tens|scores"
    r"|halved|doubled|tripled|quadrupled|reversed|negated|inverted|quadrillions?"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six"
    r"|seven|eigh|nine)teen|(?:twen|thir|for|fif|six|seven|eigh|nine)ty"
    r"|(?:hundred|thousand|million|billion|trillion)s?|[萬万億亿千百]"
    r"|(?:thir|four|fif|six|seven|eigh|nine)teenths|[a-z]*tieths|(?:hundred|thousand|million"
    r"|billion|trillion)ths|(?:quadr|quint|sext|sept|oct)illions?|millones|milliards?|milliarden"
    r"|douzaines?|dutzend|bounds?|maximums|minimums|maxima|minima|limits|[a-z]*zillions?"
    r"|centaines?|docenas?|tercios|cuartos|medios|quarts|tiers|(?:upper|lower)\s*bounds?"
    r"|estimat\w*|approximat\w*|ballparks?|guesses|guesstimates?|au\s+(?:moins|plus)"
    r"|rounded|rounding|truncated"
    r"|al\s+menos|por\s+lo\s+menos|como\s+(?:m[ií]nimo|m[aá]ximo)|a\s+lo\s+sumo|almeno"
    r"|al\s+massimo|pelo\s+menos|mindestens|h[öo]chstens|wenigstens|minimally|maximally"
)
_CHANGED_AFTER = re.compile(
    rf"[\d}}]\s*(?:(?:\$+|\\[)\]])\s*)?(?:[,;]\s*)?(?:-\s*)?(?:{_AFTER_WORDS})(?![A-Za-z-])", re.I
)
_CHANGES_AFTER = re.compile(_AFTER_WORDS, re.I)
_PHRASE_CHANGES_VALUE = re.compile(rf"(?<![A-Za-z])(?:{_AFTER_WORDS})(?![A-Za-z])", re.I)
# "5 or one", "$5$, else $N$": an alternative to the answer, whatever it names.
_ALTERNATIVE = re.compile(
    rf"(?<![^\W\d_])(?:or|else|otherwise|alternatively|{_FOREIGN_OR})(?![^\W\d_])|或者?|否则|要么|还是",
    re.I,
)
# What an alternative may be and still count as a value of its own, judged with the answer
# ("x = 2 or x = 3" for a reference of two solutions).
_VALUE_NEXT = re.compile(
    r"[\s,:]*(?:(?:\$+|\\[(\[])\s*)?(?:[A-Za-z](?:_\{?\w+\}?)?\s*=\s*(?:(?:\$+|\\[(\[])\s*)?)?"
    r"(?:(?:[-+]\s*)?(?:\d|\\[dt]?frac\s*\{|\\sqrt\s*[{\[]|\\pi|\\infty)|\()"
)
# Every line break str.splitlines knows is one: `11` over `5/6` is two lines, whatever ends them
# (a vertical tab or a form feed before a letter is rather the `\v` or `\f` of a command escaped
# once too few: `\frac` read as a form feed and `rac`).
_LINE_BREAK = re.compile(r"\r\n?|[\x1c-\x1e\x85\u2028\u2029]|[\v\f](?![a-z])")
# An option letter on its own after a lettered answer: "\boxed{B}, C" answers twice. `A` and
# `I` before a word are the article and the pronoun.
_OPTION_LETTER = re.compile(r"(?<![A-Za-z\\])(?:[B-HJb-hj]|[AI](?!\s+[a-z]))(?![A-Za-z])")
_OPTION = re.compile(r"\(?([A-J])\)?")
# A sentence ends at its full stop (not a decimal point), a line's end or display math's end.
# After the final answer: what closes it, and the unit that may come with it.
# Anything a reader takes for an answer tag (`</answer >`, `<Answer>`, `<\answer>`): one that is not
# exactly ours hides an answer from the reading.
# A box struck out or hidden in markup (`~~\boxed{5}~~`, `<s>`, `<!-- -->`): shown as no answer.
_STRUCK_BOX = re.compile(r"(?:~~|<(?:s|del|strike)>|<!--)[^~<]{0,200}?\\(?:boxed|fbox)", re.I)
# The slash ends the first run of spaces: `\s*[/\\]?\s*` split a long run between its two
# `\s*` every way there is, quadratic, on the event loop (`<` + 16k spaces: 1.9 s).
_TAG_LIKE = re.compile(
    r"(?:<|&lt;)\s*(?:[/\\]\s*)?(?:(?:final[_ -]?)?answer\b|(?:result|ans|solution|output)\s*>)",
    re.I,
)
_CLOSING_MATTER = re.compile(
    r"(?:[\s.,;:)\]。，；：）$*_~|>`…✓✔✅☑\ufe0f-]|\\[)\]]|\\end\{\w+\*?\}|</answer>|</s>|\\\\"
    r"|\\(?:q?quad|[,;: ])|\\(?:qed|blacksquare|square|Box)(?![A-Za-z])|[∎□■])*"
)
_CLOSING_FORMULA = re.compile(
    r"(?:I\s+hope\s+(?:it|this|that|my\s+answer|the\s+answer)(?:\s+is|'s|\s+was)\s+(?:correct|right"
    r"|helpful)|(?:I\s+)?hope\s+(?:this|that|it)\s+helps|good\s+luck|thanks?(?:\s+you)?"
    r"|let\s+me\s+know\s+if\s+you(?:'d|\s+would)?\s+(?:have|need|like|want)\s+(?:any\s+|a\s+)?"
    r"(?:other|more|further|additional)?\s*(?:detailed\s+)?(?:questions?|help|clarification"
    r"|explanation)|feel\s+free\s+to\s+ask(?:\s+(?:any\s+)?(?:other|more|further)?\s*questions?)?"
    r"|done|that'?s\s+it|the\s+problem\s+is\s+solved"
    r"|(?:this|that|which)\s+(?:matches|agrees\s+with|confirms|is\s+consistent\s+with)\s+(?:the"
    r"|our|my|all\s+the)\s+(?:calculations?|computations?|results?|work|constraints|conditions"
    r"|derivation|reasoning|checks?)"
    r"|as\s+(?:required|expected|desired|claimed)|(?:is|are)\s+(?:correct|right|true)"
    r"|是正确答案|是所求|即为所求|为所求"
    r"|(?:(?:this|that|which)\s+)?is\s+(?:the|my|our)\s+(?:final\s+|correct\s+)?answer"
    r"|Q\.?E\.?D\.?)[.!]?",
    re.I,
)
# "Final Answer: The final answer is 14400.": the answer said again (its value is a candidate).
_RESTATEMENT = re.compile(
    r"(?:(?:final\s+answer\s*(?::\s*)?)?(?:(?:so|thus|therefore)\s+)?(?:the\s+)?(?:final\s+)?answer"
    r"\s+is\s*(?::\s*)?|(?<![A-Za-z])(?:final\s+)?answer[*_]*\s*[:：][*_]*\s*"
    r"|(?m:^)[ \t]*####[ \t]*)"
    r"(?:\$(?P<math>[^$]{0,80})\$|\\\((?P<paren>[^$]{0,80}?)\\\)|(?P<number>[-+]?[\d.,\\!]+))",
    re.I,
)
# The rest of the answer's sentence may say what the answer counts or when, without stating
# another value: "\boxed{2} distinct values for $B$", "\boxed{\$16386.17} after 5 years",
# "\boxed{9} \pmod{11}". A number there counts something (a word follows it); "\boxed{7} over 8"
# and "\boxed{7} to 8" say more of the value and are no context.
_CONTEXT = re.compile(
    r"\\pmod\s*\{\s*(?:\d+|[A-Za-z])\s*\}|\(\s*\\?(?:b?mod|\\text\{\s*mod\s*\})\s*(?:\d+|[A-Za-z])\s*\)"
    r"|\\b?mod\s*(?:\d+|[A-Za-z])(?![\w{])"
    r"|(?<![A-Za-z])(?:after|before|during|for|in|at\s+the\s+(?:end|start|beginning)\s+of"
    r"|by\s+the\s+end\s+of)\s+(?:the\s+)?(?:(?:first|last|next)\s+)?\d+\s+"
    r"(?:second|minute|hour|day|week|month|year|decade|centur(?:y|ie)|step|round|turn|move|game"
    r"|trial|iteration|term)s?(?![A-Za-z])"
    # What the answer is for, ending its sentence: "distinct values for $B$", not "for $n$ even".
    r"|(?<![A-Za-z])for\s+(?:the\s+)?(?:\$\s*(?:[A-Za-z]|\([A-Za-z](?:\s*,\s*[A-Za-z])+\))\s*\$"
    r"|\\\(\s*[A-Za-z]\s*\\\)|[A-Za-z](?![A-Za-z]))(?=[ \t]*(?:[.!][ \t]*)?(?:$|\n|<))"
    # Where the answer is reached, ending its sentence: "attained at $x = 2$", "when $n=3$".
    r"|(?:,\s*)?(?<![A-Za-z])(?:(?:attained|achieved|reached|obtained|occurring|which\s+occurs)\s+)?"
    r"(?:at|when|for|if|where)\s+(?:the\s+point\s+)?(?:\$|\\\()\s*(?:[A-Za-z](?:_\{?\w{1,3}\}?)?\s*=\s*"
    r"[-+]?(?:\d+(?:\.\d+)?|\\frac\{\d+\}\{\d+\})|\(\s*[-+]?\d+\s*,\s*[-+]?\d+\s*\))\s*(?:\$|\\\))"
    r"(?=[ \t]*(?:[.!][ \t]*)?(?:$|\n|<))",
    re.I,
)
# A rounding of the answer said right after its box: `\boxed{\frac{\sqrt3}{3}} \approx 0.5774`,
# "(approximately 0.5774)"; it joins the box as a link of its chain, and must round the value.
_ROUNDING_AFTER = re.compile(
    r"\s*+(?:\$|\\\))?\s*+(?P<open>\(\s*+)?(?P<word>approximately|approx\.?|about|roughly)?\s*+"
    r"(?:\$|\\\()?\s*+(?P<sign>\\approx|≈)?\s*+(?P<value>[-+]?\d+\.\d+)\s*+(?:\$|\\\))?\s*+(?(open)\))",
    re.I,
)
# What an option letter's box says the option holds, to its sentence's end: `\boxed{C}: 12`,
# `\boxed{C} (12)`, "\boxed{C}, which is 12". The letter is judged; its content is no claim.
_OPTION_CONTENT = re.compile(
    r"\s*+(?:\$|\\\))?\s*+(?:[:：—–]|,?\s*+(?:which\s+is|i\.e\.,?|namely))?\s*+(?P<open>\()?\s*+"
    r"(?P<content>\$[^$\n]{1,60}\$|\\\([^\n]{1,60}?\\\)|[-+]?\d+(?:[.,]\d+)*(?:\s*%)?)"
    r"\s*+(?(open)\))\s*+(?:[.!。]|$)"
)
# What an option may hold to be its content after its box: digits, arithmetic and fractions.
_PLAIN_VALUE = re.compile(
    r"\s*+(?:[-+*/^{}().,%\d]|\\(?:[dt]?frac|sqrt|pi|cdot|times|%)(?![A-Za-z])|\s)+"
)
# A chat template's token that ends a turn or starts the next (`<|im_end|>`, `<|im_start|>user`,
# `<|eot_id|>`, DeepSeek's `<｜end▁of▁sentence｜>`) ends the model's turn: what follows is no
# part of its answer, and an `<answer>` left open closes there.
_END_OF_TURN = re.compile(
    r"<[|｜](?:im_end|im_start|endoftext|end_of_text|eot_id|eom_id|eot|eos|end|start|return"
    r"|start_header_id|end_header_id|user|assistant|system|observation|end▁of▁sentence|User"
    r"|Assistant|end_of_turn|start_of_turn)[|｜]>|<(?:end|start)_of_turn>"
)
_BOX_OR_TEXT = re.compile(
    r"(?:(?:so|thus|therefore|hence|i\.e\.|that\s+is|again)[\s,:]*)?"
    r"\\(?:boxed|fbox)\s*\{(?:[^{}]|\{[^{}]*\})*\}|\\text\w*\s*\{|\\mathrm\s*\{",
    re.I,
)
# A unit's power may come after the `\text{…}` or `$…$` that holds its name: `\text{ cm}^2`,
# `m$^2$`.
_POWER = r"(?:[}$]?\s*\^\s*(?:\{\s*)?\d\s*\}?\$?|[²³])"
_UNIT_PHRASE = re.compile(
    r"\s*(?:\\?%|°|\^\s*(?:\{\s*)?\\circ\s*\}?|\\(?:degree|circ)(?![A-Za-z])"
    rf"|[A-Za-z]+\.?{_POWER}?"
    rf"(?:\s*(?:/|per\s)\s*[A-Za-z]+{_POWER}?)?"
    rf"(?:[ \t]+[A-Za-z]+\.?{_POWER}?){{0,3}})\}}?"
)
# Units by their abbreviations and spellings, each to one name (`km`, `kilometre`: kilometer).
UNIT_NAMES = {
    "m": "meter",
    "metre": "meter",
    "meters": "meter",
    "metres": "meter",
    "cm": "centimeter",
    "centimetre": "centimeter",
    "mm": "millimeter",
    "millimetre": "millimeter",
    "km": "kilometer",
    "kilometre": "kilometer",
    "g": "gram",
    "gramme": "gram",
    "kg": "kilogram",
    "mg": "milligram",
    "ms": "millisecond",
    "s": "second",
    "sec": "second",
    "secs": "second",
    "min": "minute",
    "mins": "minute",
    "h": "hour",
    "hr": "hour",
    "hrs": "hour",
    "l": "liter",
    "litre": "liter",
    "ml": "milliliter",
    "millilitre": "milliliter",
    "deg": "degree",
    "°": "degree",
    "\\circ": "degree",
    "$": "dollar",
    "usd": "dollar",
    "ft": "foot",
    "feet": "foot",
    "in": "inch",
    "inches": "inch",
    "yd": "yard",
    "mi": "mile",
    "lb": "pound",
    "lbs": "pound",
    "oz": "ounce",
    "mph": "mile/hour",
    "kmh": "kilometer/hour",
    "K": "kelvin",
    "'": "arcminute",
    "′": "arcminute",
    "''": "arcsecond",
    "″": "arcsecond",
    "us$": "dollar",
    "eur": "euro",
    "gbp": "pound",
    "inr": "rupee",
    "rs": "rupee",
    "jpy": "yen",
}
# What a unit after the final answer may end in, besides a plural noun (`distinct values`):
# a unit's name (`cm`, `m/s`, `percent`) or a plural that takes no `s` (`4 people`).
_UNIT_ENDINGS = frozenset(
    {*UNIT_NAMES, *UNIT_NAMES.values()}
    | set(
        """percent pct circ radian rad unit cent point square cubic sq squared cubed people
        children men women teeth mice geese sheep fish deer series species pa kpa mpa hz khz
        mhz ghz mol ohm kwh wh mb gb kb tb byte bit dl cal kcal tonne ton acre hectare ha kph rpm
        bpm db psi atm bar torr mmhg cc gal gallon qt quart pt pint cup tbsp tsp nm um µm μm ms
        ns yr wk day week month year decade century yuan peso old apiece each total altogether
        left overall""".split()
    )
)
# Units a value's meaning depends on: a length, a duration, an angle, a currency, a percent.
_MEASURES = frozenset(
    {*(name.casefold() for name in UNIT_NAMES), *UNIT_NAMES.values()}
    | set("percent percentage pct radian rad cent euro dollar degree circ square cubic".split())
)
# The words of a unit phrase.
_UNIT_WORDS = re.compile(r"[^\W\d_¹²³]+")
# A unit symbol with its SI prefix: `MHz`, `mPa`, `kB`, `mV`, `nm`.
_SI_UNIT = re.compile(
    r"(?:[yzafpnµumcdhkMGTPE]|da)?(?:m|g|s|A|K|mol|cd|Hz|N|Pa|J|W|C|V|F|Ω|S|Wb|T|H|L|l|B|b|eV|bar"
    r"|cal|Cal)"
)
# Nouns that end like an adverb: in `\boxed{5} ostensibly` the word is no unit.
_NOUNS_IN_LY = frozenset("family butterfly assembly supply monopoly anomaly jelly belly".split())
# ... and the numbers to ten.
_FOREIGN_NUMBERS = frozenset(
    """eins zwei drei vier fünf funf sechs sieben acht neun zehn un une deux trois quatre cinq
    sept huit neuf dix uno dos tres cuatro cinco seis siete ocho nueve diez due tre quattro
    sei sette otto nove dieci um uma dois três quatro oito dez een twee drie vijf zes zeven
    negen tien один два три четыре пять шесть семь восемь девять десять en ett två tre fyra
    fem sex sju åtta nio tio to fire seks syv otte ni ti jeden dwa trzy cztery pięć sześć
    siedem osiem dziewięć dziesięć bir iki üç dört beş altı yedi sekiz dokuz on satu dua tiga
    empat lima enam tujuh delapan sembilan sepuluh một hai ba bốn năm sáu bảy tám chín mười
    いち に さん よん ご ろく なな はち きゅう じゅう 하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉 열
    壹 贰 叁 肆 伍 陆 柒 捌 玖 拾""".split()
)
# `times` ends a count ("5 times"); before a word it multiplies ("5 times pi").
_TIMES_SOMETHING = re.compile(r"(?<![A-Za-z])times\s+[A-Za-z\\]", re.I)
# Words no unit is made of: the closed classes that make a sentence of what follows an answer
# ("is false", "or six", "can't be right") and the words that change a value or doubt it; of
# these, the verdicts doubt, bound or take back an answer wherever they follow it.
_VERDICT_WORDS = frozenset(
    """could would might may must or nor but yet though although unless if else otherwise not no
    never none nothing neither either also too instead rather except only just maybe perhaps
    probably possibly likely unlikely false wrong incorrect invalid impossible excluded ruled
    fails fail failed unchecked unverified unsure uncertain guess typo mistake error trap decoy
    bogus fake scrap ignore about around near best worst most least negated thereabouts nah
    odds circa approx approximately roughly nearly almost within ballpark sometimes usually
    often mostly generally typically ca est rough lie nonsense garbage rubbish absurd joke
    untrue erroneous flawed doubtful questionable bad beyond counting limit earliest latest
    ceiling cap struck googol supremum infimum dubious refuted mehr weniger moins más menos più
    meno mais eliminated distractor uncorrected outside hexadecimal binary octal base radix
    tausend hundert millionen mille millions milliers mila cento""".split()
)
# The rest of the answer's sentence as a small grammar: what the value counts (up to four words
# ending in a unit or a plural: `more sheep`, `square centimeters`, `such integers`), then
# phrases that open with a preposition (`per day`, `at the farmers' market`, `to fill the
# pool`) and words of time or tally (`daily`, `left over`, `altogether`). Anything else (`and
# below`, `as a floor`, `oppure diciannove`) is said of the answer and hedges it.
_TAIL_PREPOSITIONS = frozenset(
    """at in on for from to with by during per of than after before into across inside a an
    every de del al en por para un una pour par dans sur au aux du des à für pro zum zur am im
    di da della nel em na no do""".split()
)
_PHRASE_DETERMINERS = frozenset(
    """the a an his her their its our my your this that these those each every all both and la
    el los las le les der die das den dem il lo gli""".split()
)
_TAIL_ENDINGS = frozenset(
    """left over more altogether total overall apiece each daily weekly monthly yearly annually
    hourly nightly quarterly tomorrow today tonight yesterday""".split()
)
# What one item of a count is called ("There is $\boxed{1}$ way.").
_COUNTED_THINGS = frozenset(
    """way solution root value number integer pair triple point person time case option choice
    element subset arrangement outcome possibility term digit triangle""".split()
)
# Words that, in a phrase after the value, bound it, estimate it, doubt it, take it back or
# count it otherwise ("at the upper end", "in round figures", "by my reckoning", "in theory",
# "in the earlier draft", "in pairs", "net of costs", "in Tausenden").
_OFF_THE_VALUE = frozenset(
    """upper high top lower low lowest highest utmost push stretch good peak luck excess very
    round figures eye glance average expectation opinion reckoning estimate margin slop
    paper theory principle practice dreams fools accident parallel universe misread botched
    earlier draft superseded outdated previous net discount gross pair pairs couple
    couples dozen dozens tausend tausenden migliaia duizenden milliers thousands hundreds
    hex base quadrato quadrat carré carre cuadrado cubo kubik potenz puissance potencia debt
    magnitude orders red version other otherwise alternative hypothetical""".split()
)
_TAIL_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+(?:-[A-Za-zÀ-ÖØ-öø-ÿ]+)*(?:['’]s?)?")
# Chinese measure words and units a count may end with (`共有 18 种不同的排法`, `18 元`); other
# characters after them describe the things counted, unless they bound, doubt, negate or scale.
_CJK_COUNTERS = re.compile(
    r"(?:平方|立方)?(?:千米|公里|厘米|毫米|米|千克|公斤|克|吨|毫升|升|小时|分钟|秒|天|周|年|月|岁"
    r"|美元|元|角|块|个|种|人|名|只|头|本|条|张|次|度|分|辆|棵|支|件|位|道|套|颗|盒|箱|页|份|场|层"
    r"|所|户|家|间|座|台|部|组|对)"
)
_CJK_HEDGES = re.compile(
    r"[多余来上下左右不没非未超约近之以吧吗呢啊么倍打兆亿万千百或起封强弱程许把估算毛前後后双对罢仅才差几些成折]"
    r"|出头|开外|光景|而已|[\u3040-\u30ff]"
)
_FUNCTION_WORDS = _VERDICT_WORDS | frozenset(
    """a an the is are was were be been being am isn aren wasn weren do does did don doesn didn
    can cannot will won shall has have had it its this that these those i me my we us our you
    your he she they them their and so then than as because since which who whom what when
    where why how whether true right correct valid works work check checked verified sure
    certain at on by for to from with without over under above below always""".split()
)
# Where the sentence goes on after a unit: "dollars per day| at the market".
_SENTENCE_GOES_ON = re.compile(
    rf"\s(?:{'|'.join(sorted(_FUNCTION_WORDS, key=len, reverse=True))})(?![^\W\d_])"
)
_SENTENCE_BREAK = re.compile(r"[.!?](?!\d)|[。！？\n]|\\end\{\w+\*?\}|\\\]")
# A number on its own in prose after the final answer: a second claim.
_LOOSE_NUMBER = re.compile(r"(?<![\w.\\])[-+]?\d+(?:[.,]\d+)*(?!\d|st\b|nd\b|rd\b|th\b)")
_NEGATED = re.compile(
    r"(?:(?<![A-Za-z])(?:not|never)|n't|不是|并非|而非)(?:\s+equal\s+to)?\W*$", re.I
)
# Words that announce the final answer in a prose body. "Final Answer: The final answer is
# $7$." (the Minerva format) names it outright; "thus 7" may be a step of a worked solution.
_ANSWER_MARKER = re.compile(
    r"(?<![A-Za-z])(?:final\s+answer|the\s+answer|answer|final\s+(?:result|value))"
    r"(?:\s+(?:is|should\s+be|would\s+be|must\s+be|equals|was)|[*_]*\s*(?:[:=→⇒≈]|[—–]|--?>?\s|\\(?:to|Rightarrow)(?![A-Za-z])))(?![A-Za-z])"
    r"|(?<![A-Za-z])(?:ans|result|jawaban|conclusion)[*_]*\s*[:=]|[答답]\s*[:：]"
    r"|(?<![A-Za-z])the\s+(?:correct|right|true|actual|real)\s+(?:value|result|solution|total|count"
    r"|number)\s*(?:is|=|:)(?![A-Za-z])"
    r"|(?<![A-Za-z])solution[*_]*\s*[:=]"
    r"|(?<![A-Za-z])final\s+answer[*_:]*[ \t]*\n|(?m:^)[ \t*_#>]*answer[*_]*[ \t]+(?=\$?[-+]?\d)"
    r"|(?m:^)[ \t*_#>]*(?:final|ans\.|answer\s*\([^()\n]{0,20}\)|answer\s*[~≈])[*_]*\s*:?"
    # "Respuesta final: 9", "La réponse finale est 9", "Die Lösung ist 9", "Đáp án: 9".
    r"|(?<![^\W\d_])(?:(?:endgültige|finale)\s+)?(?:antwort|respuesta|réponse|risposta|resposta"
    r"|ответ|odpowiedź|cevap|lösung|ergebnis|endergebnis|resultado|résultat|risultato|solución"
    r"|svar|svaret|vastaus|válasz|odgovor|antwoord|răspuns|odpověď|jawapan|sagot|yanıt|javob|jibu"
    r"|sonuç|atbilde|vastus|atsakymas"
    r"|solução|результат|решение|đáp\s+án|kết\s+quả|الجواب|الإجابة|النتيجة)"
    r"(?:\s+(?:final|finale|finales|finali|definitiva|correcta|correcte|richtige))?[*_]*"
    r"(?:\s*[:：]|\s+(?:es|est|ist|è|é|lautet|sera|será|là)(?![^\W\d_]))"
    r"|答案(?:是|为|：|:)|答え\s*[:：は]|(?:最终)?(?:结果|结论|答案)\s*(?:是|为|[:：])",
    re.I,
)
# A line that concludes with a value of its own, no name given it: before a box on a line of
# its own, a second answer ("Therefore $9$.", "We obtain 9.", "The value is $9$.", "Option D.").
_CONCLUDED_VALUE = re.compile(
    r"[*_#>]*(?:(?:therefore|thus|hence|so|donc|also|daher|somit|quindi|dunque|por\s+lo\s+tanto"
    r"|portanto|entonces|então|итак|поэтому|следовательно|значит|ainsi|alors|pertanto|perciò|deshalb"
    r"|dolayısıyla|jadi|vì\s+vậy|do\s+đó|oleh\s+karena\s+itu|więc|tehát|dus|alltså|consequently"
    r"|accordingly|ergo|this\s+gives|it\s+equals|因此|所以|故|于是|よって|したがって"
    r"|(?:so\s+|thus\s+|hence\s+)?we\s+(?:obtain|get|find|have|conclude)|(?:the\s+)?(?:value"
    r"|result|solution|number|total|option|choice|opción|réponse)(?:\s+is)?)[\s,:]*)"
    r"(?P<value>\$[^$=\n]{1,80}\$|\\\([^=\n]{1,80}?\\\)|[-+]?\d[\d,.]*|\(?[A-J]\)?)"
    r"[ \t*_]*[.!。．！]?",
    re.I,
)
# What may come before "the answer is" in its sentence for it to state the answer.
_MARKER_LEAD = re.compile(
    r"[\s*_#>:,\-]*"
    r"(?:(?:so|thus|therefore|hence|and|then|finally|in\s+conclusion|overall"
    r"|the|my|our|final|所以|因此|最终|最后)[\s*_:,，]*)*",
    re.I,
)
# Before a conclusion: a case or a guess in the sentence before it ("If zero counts, it is 5.
# Therefore 6."), a guess or two values anywhere in the working ("It could be 5. … Thus 6.",
# "It is 5 or 6. … Thus 6.").
_HEDGE_BEFORE_CONCLUSION = re.compile(
    rf"{_HEDGE_BEFORE.pattern}|(?<![A-Za-z])(?:if|unless|whether|could|might|may|otherwise|else"
    r"|alternatively)(?![A-Za-z])",
    re.I,
)
# Doubt in the first person anywhere before the boxes: "I am not sure whether it is 5 or 6.
# Anyway, here goes. \boxed{5}".
_DOUBT_IN_WORKING = re.compile(
    r"(?<![A-Za-z])(?:not\s+(?:[\w%]+\s+){0,2}?(?:sure|certain|confident)|unsure|uncertain"
    r"|don'?t\s+know|no\s+idea|can'?t\s+decide|(?:could|might|may)\s+be\s+(?:wrong|mistaken)"
    r"|(?:is|was)\s+(?:just\s+|only\s+|merely\s+)?a\s+guess"
    r"|i'?m\s+guessing|i\s+am\s+guessing|no\s+estoy\s+segur[oa]|nicht\s+sicher|pas\s+s[uû]r"
    r"|não\s+tenho\s+certeza)(?![A-Za-z])|不确定|不知道|不太确定|没把握",
    re.I,
)
_GUESS_IN_WORKING = re.compile(
    r"(?<![A-Za-z])(?:maybe|perhaps|possibly|probably|could|might|guess|unsure|not\s+sure"
    r"|either|alternatively)(?![A-Za-z])|[\d$][ \t]*,?[ \t]+or[ \t]+(?:\$|[-+]?\d)",
    re.I,
)
# Words that open a conclusion; "so" only where it opens its sentence ("so small" is working).
_CONCLUSION_MARKER = re.compile(
    r"(?<![A-Za-z])(?:therefore|thus|hence)(?![A-Za-z])"
    r"|(?:(?<=[.!?。！？\n:])|^)[ \t*_#>]*so(?![A-Za-z])|(?<![A-Za-z])(?-i:So)(?![A-Za-z])"
    r"|所以|因此",
    re.I,
)
_DETERMINERS = frozenset({"the", "these", "those", "all", "both", "its", "their", "our"})
# What "a zero …" names rather than counts ("a zero matrix"; not "a zero answer").
_ZERO_OBJECTS = frozenset(
    "matrix vector polynomial function map divisor element row column entry morphism".split()
)
# A variable or function named in passing ("the smallest $k$ is 12", "the domain of $f(x)$")
# is no value of its own.
# After a math span: a list goes on ("$\\pi$, $\\tau$") or the body ends; a name in passing is
# followed by what is said of it ("$k$ is 12").
_LISTED = re.compile(r"\s*(?:[,;]|(?:and|or)(?![A-Za-z])|[.!]?\s*$)", re.I)
_NAME = re.compile(
    r"(?:[a-df-hj-zA-Z]|[A-Z]{2,}|\\(?!pi\b|infty\b)[a-zA-Z]+)(?:_\{?\w+\}?)?'*"
    r"(?:\(\s*[a-z](?:\s*,\s*[a-z])*\s*\))?"
    r"|\(\s*[a-df-hj-zA-Z](?:\s*,\s*[a-df-hj-zA-Z])+\s*\)"  # "the ordered pair $(x, y)$"
)


class Source(str, Enum):
    """Where the extracted answer came from."""

    BOXED = "boxed"
    ANSWER_TAG = "answer_tag"


@dataclass(frozen=True)
class MathAnswer:
    """What a response answered: distinct candidate strings, in order of appearance.

    More than one candidate means the response gave several different final answers;
    `hedged`, that it hedged or took back its answer after giving it; `alternatives`, that its
    boxes were joined by "or" (solutions of one unknown, never the parts of a tuple). `reason`
    says why when there are none.
    """

    candidates: tuple[str, ...]
    source: Source | None = None
    reason: Reason | None = None
    hedged: bool = False
    alternatives: bool = False


def final_part(response: str) -> str | None:
    """The text after the last `</think>`, where the final answer lives.

    A response without think tags is all final answer. A response that opens `<think>`
    and never closes it was cut off while reasoning: it has no final part (None). That
    includes a `<think>` reopened after the last `</think>`: what follows it is reasoning,
    and counting it would let a box written mid-thought earn reward.

    >>> final_part("<think>2+2=4, so \\\\boxed{4}</think> The answer is 4.")
    ' The answer is 4.'
    >>> final_part("<think>still thinking") is None
    True
    >>> final_part("<think>a</think> 4 <think>on second thought") is None
    True
    """
    close = response.rfind(THINK_CLOSE)
    final = response if close < 0 else response[close + len(THINK_CLOSE) :]
    if THINK_OPEN in final:
        return None
    return final


def find_boxed(text: str) -> list[str]:
    r"""Contents of every top-level `\boxed{…}` / `\fbox{…}` (and `\boxed 5`), in order.

    Nested braces are matched; escaped braces (`\{`) do not count. A box whose braces never
    close (a truncated response) yields nothing. A box nested in another box is part of the
    outer box's content, not a separate answer; a box that holds only a box is that box.

    >>> find_boxed(r"so \boxed{\frac{1}{2}} and \fbox{3} and \boxed 5$, \boxed 6.")
    ['\\frac{1}{2}', '3', '5', '6']
    >>> find_boxed(r"\boxed{\boxed{7}}, \boxed{6 \boxed{5}}")
    ['7', '6 \\boxed{5}']
    """
    return [content for content, _start, _end in _boxes(text)]


def _boxes(text: str) -> list[tuple[str, int, int]]:
    """(content, start, index just past the box) of every top-level box with content."""
    if "\\boxed" not in text and "\\fbox" not in text:
        return []
    closing = _closing_braces(text)
    unescaped_closing: dict[int, int] | None = None
    boxes: list[tuple[str, int, int]] = []
    covered_until = -1
    for match in _BOX_COMMAND.finditer(text):
        if match.start() < covered_until:
            continue
        after = match.end()
        while after < len(text) and text[after] in " \t":
            after += 1
        if after < len(text) and text[after] == "{":
            end = closing.get(after)
            if end is None:
                # `\boxed{185\}`: a stray backslash before the box's closing brace.
                if unescaped_closing is None:
                    unescaped_closing = _closing_braces(text, _UNESCAPED_BRACE)
                end = unescaped_closing.get(after)
                content = text[after + 1 : end - 1] if end is not None else ""
                # Only the one stray backslash: `\phantom{\}` inside would read two ways.
                if end is None or text[end - 1] != "\\" or "\\{" in content or "\\}" in content:
                    continue
                boxes.append((content.strip(), match.start(), end + 1))
                covered_until = end
                continue
            boxes.append((_unboxed(text, closing, after, end), match.start(), end + 1))
            covered_until = end
        else:
            bare = _BARE_BOX_ARGUMENT.match(text, match.end())
            if bare:
                # `The answer is \boxed 7.`: the full stop ends the sentence, not the number.
                boxes.append((bare.group(1).rstrip(_SENTENCE_END), match.start(), bare.end()))
                covered_until = bare.end()
    return [box for box in boxes if box[0]]


def _unboxed(text: str, closing: dict[int, int], opening: int, end: int) -> str:
    """The content of the braces at `opening`..`end`; of a box that is all they hold (a box
    in a box is that box), its content, however deep, in one pass over the text."""
    while True:
        first, last = opening + 1, end  # the content, stripped, is text[first:last]
        while first < last and text[first].isspace():
            first += 1
        while last > first and text[last - 1].isspace():
            last -= 1
        inner = _BOX_COMMAND.match(text, first, last)
        if inner is None:
            return text[first:last]
        after = inner.end()
        while after < last and text[after] in " \t":
            after += 1
        if after < last and text[after] == "{":
            inner_end = closing.get(after)
            filled = after + 1
            while filled < last and text[filled].isspace():
                filled += 1
            if inner_end != last - 1 or filled >= inner_end:  # not all of it, or empty
                return text[first:last]
            opening, end = after, inner_end
            continue
        bare = _BARE_BOX_ARGUMENT.match(text, inner.end(), last)
        if bare is None or bare.end() != last:
            return text[first:last]
        return bare.group(1).rstrip(_SENTENCE_END) or text[first:last]


def _closing_braces(text: str, brace: re.Pattern[str] = _BRACE_TOKEN) -> dict[int, int]:
    """Map the index of each `{` to the index of its matching `}` (one linear pass)."""
    closing: dict[int, int] = {}
    open_stack: list[int] = []
    for token in brace.finditer(text):
        char = token.group()
        if char == "{":
            open_stack.append(token.start())
        elif char == "}" and open_stack:
            closing[open_stack.pop()] = token.start()
    return closing


def answer_tag_bodies(text: str) -> list[str]:
    """Bodies of every closed `<answer>…</answer>` in text, in order (linear scan)."""
    return [text[start:end].strip() for start, end in _answer_tag_spans(text)]


def _answer_tag_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the body of every closed `<answer>…</answer>`, in order."""
    spans = []
    position = 0
    while True:
        start = text.find(ANSWER_OPEN, position)
        if start < 0:
            return spans
        end = text.find(ANSWER_CLOSE, start + len(ANSWER_OPEN))
        if end < 0:
            return spans
        spans.append((start + len(ANSWER_OPEN), end))
        position = end + len(ANSWER_CLOSE)


def is_prose(text: str) -> bool:
    r"""Whether an answer body is prose around the answer rather than the answer itself.

    >>> is_prose(r"\text{yes}"), is_prose(r"x = \frac{1}{2}"), is_prose("答案是5")
    (False, False, True)
    >>> is_prose("The area is 12."), is_prose("$12$")
    (True, True)
    """
    words = _PROSE.finditer(_TEXT_COMMAND.sub(" ", text))
    if any(word.group().lower() not in _MATH_WORDS for word in words):
        return True
    return bool(_MATH_OPENER.search(text))


def _math_spans(text: str) -> Iterator[tuple[int, int, int, int]]:
    """(opener's start, content's start, content's end, closer's end) of each math span
    (`$…$`, `\\(…\\)`, `\\[…\\]`, `$$…$$`) in order, up to the first that never closes; inline
    math ends with its line. Linear: a span that never closes ends the walk."""
    position = 0
    while opener := _MATH_OPENER.search(text, position):
        closer = _MATH_CLOSER[opener.group()]
        close = text.find(closer, opener.end())
        if close >= 0 and closer in ("$", "\\)") and "\n" in text[opener.end() : close]:
            close = -1
        if close < 0:
            return
        position = close + len(closer)
        yield opener.start(), opener.end(), close, position


def is_sentence_around_math(text: str) -> bool:
    r"""Whether text is words around closed math spans ("the solution is $x \in [1, 2]$").

    >>> is_sentence_around_math("The answer is $5$."), is_sentence_around_math("$5$, $6$")
    (True, False)
    """
    outside = []
    position = 0
    for start, _, _, end in _math_spans(text):
        outside.append(text[position:start])
        position = end
    if not outside:
        return False
    outside.append(text[position:])
    return bool(_PROSE.search(_TEXT_COMMAND.sub(" ", " ".join(outside))))


def stated_values(body: str) -> list[str]:
    r"""The values an `<answer>` body states, in order.

    An expression body is one value. In prose, each math span (`$…$`, `\(…\)`, `\[…\]`) and
    each run of math tokens between words is a value: a body that states several values is
    judged like several boxes, so `"It could be 3, 4 or 5"` cannot earn reward by letting the
    verifier pick the right one out of the prose. A value said not to be the answer ("not 2
    but 3") and a variable named in passing ("the smallest $k$ is 12") are no values. Prose
    that states no value (`"Yes"`, `"Alice"`) is returned whole; prose whose every value is
    negated states nothing ([]). Linear in the body's length.

    >>> stated_values(r"x = \frac{1}{2}")
    ['x = \\frac{1}{2}']
    >>> stated_values("So the answer is $x = 3$.")
    ['x = 3']
    >>> stated_values("答案是5。")
    ['5']
    >>> stated_values("We get 12 apples, so 7.")
    ['12', '7']
    >>> stated_values("**Answer:** 3, 4, 5.")
    ['3, 4, 5']
    >>> stated_values("The smallest $k$ is 12, not 13.")
    ['12']
    """
    wrapped = _MARKDOWN_WRAPPED.fullmatch(body)
    if wrapped:
        body = wrapped.group(2).strip()
    if not is_prose(body):
        return [body]
    claim = _claim(body)
    if claim is not None:
        # "Working: 3 + 4 = 7. The final answer is 7.": what follows the first marker is the
        # answer (every value after it, so that two claims are still two answers).
        body = claim
        if not is_prose(body):
            return [body.rstrip(_SENTENCE_END).strip().strip("*_").strip()]
    restated = _restated_question(body)
    if restated is not None and not _hedges_before(body[: restated.verb_end]):
        # "The largest prime less than 100 is 97.": the values after the verb are the claim.
        return stated_values(body[restated.verb_end :].strip().rstrip(_SENTENCE_END))
    found: list[tuple[str, bool]] = []
    listed: set[str] = set()  # spans a list goes on from or ends with: values, names or not
    position = 0
    for start, value_start, close, end in _math_spans(body):
        before = body[position:start]
        if before.strip():
            found += _math_runs(before)
        negated = bool(_NEGATED.search(before)) if before.strip() else bool(found and found[-1][1])
        value = body[value_start:close].strip()
        found.append((value, negated))
        position = end
        if _LISTED.match(body, position):
            listed.add(value)
    found += _math_runs(body[position:])
    values = [value for value, negated in found if value and not negated]
    if not found:
        return [body]
    named = [
        value
        for value in values
        if not _NAME.fullmatch(value) or _ROMAN.fullmatch(value) or value in listed
    ]
    return named or values


def _claim(body: str) -> str | None:
    """What follows the marker that announces the answer in a prose body: the first "The
    final answer is", failing that the last conclusion ("Thus", "So, …": a worked solution
    concludes with its answer, and the steps before state nothing); None without one, or when
    the sentence before it guesses."""
    marker = _ANSWER_MARKER.search(body)
    hedge = _GUESS_BEFORE
    if marker is None:
        marker, hedge = _last(_CONCLUSION_MARKER.finditer(body)), _HEDGE_BEFORE_CONCLUSION
        # "… = 6$ So, the pair is …": a capital after math or a number, without a full stop.
        opens = marker and (
            _opens_sentence(body, marker.start())
            or (
                marker.group().lstrip(" \t*_#>")[:1].isupper()
                and re.match(r"[$)\]}\d]", body[: marker.start()].rstrip()[-1:] or " ")
            )
        )
        if marker and (not opens or _GUESS_IN_WORKING.search(body, 0, marker.start())):
            return None  # "5, unless …, and thus 6", "It could be 5. … Thus 6": no claim
    elif not _opens_sentence(body, marker.start()):
        return None  # "A common wrong answer is 5", "if …, the answer is 5": no claim
    if not marker or marker.end() >= len(body) or _hedges_up_to(body, marker.start(), hedge):
        return None
    return body[marker.end() :].translate(_FULLWIDTH).lstrip(_DECORATION + " \t\n").strip()


def _last(matches: Iterator[re.Match[str]]) -> re.Match[str] | None:
    last = None
    for last in matches:  # noqa: B007 - the loop keeps the last
        pass
    return last


def _opens_sentence(body: str, position: int) -> bool:
    """Whether only a connective ("So", "Thus the final") comes between the sentence's start
    and `position`."""
    breaks = [match.end() for match in _SENTENCE_BREAK.finditer(body, 0, position)]
    lead = body[breaks[-1] if breaks else 0 : position]
    return bool(_MARKER_LEAD.fullmatch(lead.translate(_FULLWIDTH)))


def _hedges_up_to(body: str, position: int, hedge: re.Pattern[str]) -> bool:
    """Whether the sentence before `position`, or its own up to there, hedges ("3 or 4. Thus 5")."""
    breaks = [match.start() for match in _SENTENCE_BREAK.finditer(body, 0, position)]
    start = breaks[-2] if len(breaks) >= 2 else 0
    return bool(hedge.search(body, start, position))


def _math_runs(prose: str) -> list[tuple[str, bool]]:
    """Maximal runs of math tokens (numbers, operators, LaTeX, lone variables) between words,
    each with whether a negation ("not", "不是") comes right before it."""
    text = prose.translate(_FULLWIDTH)
    runs: list[tuple[str, bool]] = []
    start = end = -1
    negated = False
    tokens = list(_TOKEN.finditer(text))
    words = [token.group().strip(_DECORATION + "()[]").rstrip(_SENTENCE_END) for token in tokens]
    for index, (token, word) in enumerate(zip(tokens, words, strict=True)):
        if _is_word(word):
            if start >= 0:
                runs.append((text[start:end], negated))
            start = -1
            # "not 2", "not equal to 2": a negation covers the value right after it only.
            negated = bool(_NEGATED.search(word)) or (negated and word.lower() in ("equal", "to"))
            continue
        if _names_things(words, index):
            continue  # "the three given conditions" names things, it states no value
        if _CJK_NUMBER.fullmatch(word) or (word.isalpha() and is_number_word(word)):
            # "5，七", "5 and Six": a number in words is a value of its own, not part of a run.
            if start >= 0:
                runs.append((text[start:end], negated))
            runs.append((word, negated))
            start = -1
            continue
        if start < 0:
            start = token.start()
        end = token.end()
    if start >= 0:
        runs.append((text[start:end], negated))
    stripped = (
        (
            run.strip(_DECORATION)
            .lstrip(_LEADING_PUNCTUATION)
            .rstrip(_SENTENCE_END)
            .strip(_DECORATION),
            negated,
        )
        for run, negated in runs
    )
    return [
        (run, negated)
        for run, negated in stripped
        if any(char.isdigit() or char == "\\" for char in run)
        or _NUMBER_WORD.search(run)
        or is_number_word(run)
    ]


def _names_things(words: list[str], index: int) -> bool:
    """Whether the number word at `index` counts the things the next word names, after a
    determiner ("the three given conditions"), or is "zero" naming an object ("a zero matrix"),
    rather than stating a value ("the six being valid", "all six also work", "a fifteen
    total")."""
    word = words[index]
    before = words[index - 1].lower() if index else ""
    following = words[index + 1] if index + 1 < len(words) else ""
    if before in ("a", "an"):
        return word.lower() == "zero" and following.lower() in _ZERO_OBJECTS
    return (
        before in _DETERMINERS
        and word.isalpha()
        and following.isalpha()
        and following == following.lower()
        and not names_no_unit(following)
        and not following.endswith(("ing", "ly"))
        and is_number_word(word)
        # What is counted is many: "the three given conditions", not "the fifteen total".
        and any(_is_plural(later) for later in words[index + 1 : index + 3])
    )


def _is_plural(word: str) -> bool:
    lowered = word.lower()
    return len(lowered) > 2 and lowered.endswith("s") and not lowered.endswith(("ss", "us", "is"))


def is_number_word(token: str) -> bool:
    """A number in words (`six`, `VI`, `六`); `I` is the pronoun ("I hope it is correct"), `L`,
    `M`, `V` and `C` are litres, metres, volts and coulombs."""
    if token == "I" or (
        len(token) == 1 and (token.casefold() in UNIT_NAMES or _SI_UNIT.fullmatch(token))
    ):
        return False
    # `VI`, `six`, `六`; `Six` and `SIX` too (lower-cased, no Roman numeral is left).
    return bool(_NUMBER_WORD.fullmatch(token) or _NUMBER_WORD.fullmatch(token.lower()))


def _is_word(token: str) -> bool:
    if is_number_word(token):
        return False
    if token in _ENGLISH_LETTERS or _ORDINAL.fullmatch(token) or _CJK.match(token):
        return True
    if any(char.isdigit() for char in token):
        return False
    if any(run.lower() not in _MATH_WORDS for run in _LETTER_RUN.findall(token)):
        return True
    # Letters and dots only ("i.e.", "e.g."): an abbreviation; one letter alone is a variable.
    return not _MATH_SYMBOL.search(token) and sum(char.isalpha() for char in token) > 1


def extract_math_answer(response: str) -> MathAnswer:
    r"""Apply DESIGN.md's final-answer rules for math.

    Only the text after the last `</think>` counts; an answer between an earlier `</think>` and
    the last one (the reasoning closed, answered, then closed again) hedges it. There, the
    `<answer>` body counts if present, and a `\boxed{}` inside it wins over the bare body;
    otherwise the `\boxed{}` contents count. Every distinct candidate is returned, not just the
    last one, so the scorer can refuse a response that boxes several different values; a box
    outside the `<answer>` is a candidate too, so the two must agree. Words after the final
    answer that hedge or take it back mark it `hedged`.

    >>> extract_math_answer(r"<think>maybe \boxed{41}</think> so \boxed{42}").candidates
    ('42',)
    >>> extract_math_answer("<think>hm</think><answer>42</answer>").source
    <Source.ANSWER_TAG: 'answer_tag'>
    >>> extract_math_answer(r"<think>only here: \boxed{42}</think> I give up.").reason
    <Reason.NO_ANSWER: 'no_answer'>
    >>> extract_math_answer(r"</think> \boxed{7}. Wait, that is wrong: it is 8.").hedged
    True
    """
    response = _turn(response)
    final = final_part(response)
    if final is None:
        return MathAnswer((), reason=Reason.TRUNCATED)
    answer = _final_answer(_LINE_BREAK.sub("\n", final))
    first_close, last_close = response.find(THINK_CLOSE), response.rfind(THINK_CLOSE)
    between = response[first_close:last_close]
    if answer.candidates and (_ANY_BOX.search(between) or ANSWER_OPEN in between):
        return replace(answer, hedged=True)
    return answer


def _turn(response: str) -> str:
    """The response up to the end of the model's turn, an `<answer>` left open closed there."""
    end = _END_OF_TURN.search(response)
    if end is None:
        return response
    response = response[: end.start()]
    if response.rfind(ANSWER_OPEN) > response.rfind(ANSWER_CLOSE):
        response += ANSWER_CLOSE
    return response


def _final_answer(final: str) -> MathAnswer:
    spans = _answer_tag_spans(final)
    if not spans:
        boxes = _boxes(final)
        if not boxes:
            return MathAnswer((), reason=Reason.NO_ANSWER)
        after = final[boxes[-1][2] :]
        contents = [box for box, _, _ in boxes]
        rounding = _ROUNDING_AFTER.match(after)
        if rounding and (rounding.group("word") or rounding.group("sign")):
            contents[-1] = rf"{contents[-1]} \approx {rounding.group('value')}"
            after = after[rounding.end() :]
        if _TAG_LIKE.search(final) or _STRUCK_BOX.search(final):
            # `<ANSWER>6</ANSWER> \boxed{5}`: a tag that is not ours names a second answer.
            return MathAnswer(_distinct(contents), Source.BOXED, hedged=True)
        claimed = _claimed_before(final[: boxes[0][1]])
        if _OPTION.fullmatch(_TEXT_COMMAND.sub(r"\1", contents[-1]).strip()):
            content = _OPTION_CONTENT.match(after)
            if content and _PLAIN_VALUE.fullmatch(content.group("content").strip("$")):
                after = after[content.end() :]
        hedged = _hedged(final, boxes, after)
        unit = "" if hedged else _unit_after(after)
        if unit:
            # `\boxed{7} mm`, `\boxed{0.5}\%`: the unit is the answer's, compared as inside.
            contents[-1] = f"{contents[-1]} {unit}"
        return MathAnswer(
            _distinct(contents + claimed + _loose_numbers(after) + _loose_letters(after, contents)),
            Source.BOXED,
            hedged=hedged,
            alternatives=_joined_by_or(final, boxes),
        )
    bodies = [final[start:end].strip() for start, end in spans]
    starts = (*(start for start, _ in spans), len(final))
    ends = (0, *(end for _, end in spans))
    outside = "".join(final[end:start] for end, start in zip(ends, starts, strict=True))
    boxes_outside = _boxes(outside)
    after = final[spans[-1][1] + len(ANSWER_CLOSE) :]
    before = final[: spans[0][0] - len(ANSWER_OPEN)]
    others = [box for box, _, _ in boxes_outside] + _loose_numbers(after) + _claimed_before(before)
    others += _loose_letters(after, bodies + others)
    hedged = (
        _retracts(after)
        or _hedges_before(before, bodies[0] if bodies else "")
        or any(
            _doubts_between(final, end, start)
            for end, start in zip(ends[1:-1], starts[1:-1], strict=True)
        )
        or len(_TAG_LIKE.findall(final)) != 2 * len(spans)
        or _stray_boxes(outside, boxes_outside)
    )
    boxes_in_bodies = [(body, _boxes(body)) for body in bodies]
    if any(boxes for _, boxes in boxes_in_bodies):
        for body, boxes in boxes_in_bodies:
            if boxes:
                hedged = hedged or _hedged(body, boxes, body[boxes[-1][2] :])
                others += _loose_numbers(body[boxes[-1][2] :]) + _claimed_before(
                    body[: boxes[0][1]]
                )
        unboxed = [
            value for body, boxes in boxes_in_bodies if not boxes for value in stated_values(body)
        ]
        return MathAnswer(
            _distinct(
                [box for _, boxes in boxes_in_bodies for box, _, _ in boxes] + unboxed + others
            ),
            Source.BOXED,
            hedged=hedged,
            alternatives=any(_joined_by_or(body, boxes) for body, boxes in boxes_in_bodies),
        )
    if any(_ANY_BOX.search(body) for body in bodies):
        # The box wins over the body even when it is empty or never closed: falling back to
        # the prose around an empty box would read numbers the model did not commit to.
        return MathAnswer((), reason=Reason.NO_ANSWER)
    nonempty = [body for body in bodies if body]
    if not nonempty:
        return MathAnswer((), reason=Reason.NO_ANSWER)
    hedged = hedged or any(_doubts(body) for body in nonempty)
    return MathAnswer(_distinct(nonempty + others), Source.ANSWER_TAG, hedged=hedged)


# A value said to be no answer after it is stated, or everything but it ("5 is not the answer",
# "5 doesn't work", "anything except 5"); "is not 2 but 3" negates what follows instead.
_REFUTED = re.compile(
    r"(?<![A-Za-z])(?:(?:is|are|was|were)\s+(?:not|never)(?!\s*(?:equal\s+to\s*)?(?:\$|\\\(|[-+]?\d))"
    r"|(?:is|are|was|were)\s+(?:false|wrong|incorrect|invalid|impossible|excluded|bogus|a\s+trap)"
    r"|isn'?t|aren'?t|wasn'?t|doesn'?t|don'?t|can'?t|cannot|won'?t|fails?|ruled\s+out|except"
    r"|excluding|other\s+than|apart\s+from|anything|everything|every|all\s+but|but\s+not)"
    r"(?![A-Za-z])",
    re.I,
)


def judged_part(body: str) -> str:
    """What of a prose `<answer>` body states its answer: after a named final answer ("Final
    Answer: …", "The answer is …") or the last conclusion ("Therefore, …"), the claim, for the
    working before it states nothing (one value is judged, so doubt there gains nothing); else
    all of it. A restated question there says nothing of the answer but its verb ("the largest
    prime less than 100 is")."""
    return _without_restated_question(_claim(body) or body)


def _doubts(body: str) -> bool:
    """Whether the part of a prose `<answer>` body that states its answer doubts it ("5, but I
    am unsure"), or comes with a word that makes it another value ("negative 5", "5 squared") or
    with an alternative that is no value ("5 or one", "$5$, else $N$")."""
    if not is_prose(body):
        return False
    claimed = judged_part(body)
    if _ARITHMETIC_IN_WORDS.search(claimed) or _derived_answer(claimed):
        return True  # `5 times pi`, "Half the answer is 5"
    return bool(
        DOUBT.search(claimed)
        or _REFUTED.search(claimed)
        or QUALIFIER.search(claimed)
        or _CHANGED_BEFORE.search(claimed)
        or _CHANGED_AFTER.search(claimed)
        or any(
            not _VALUE_NEXT.match(claimed, match.end()) for match in _ALTERNATIVE.finditer(claimed)
        )
    )


def _hedged(text: str, boxes: list[tuple[str, int, int]], after: str) -> bool:
    """Whether the final box is hedged: words after it that take it back, a box we do not
    read, or a hedge in the sentence that leads to a box ("It is 3 or \boxed{4}")."""
    if (
        _retracts(after)
        or _stray_boxes(text, boxes)
        or _hidden_boxes(text, boxes)
        or _DOUBT_IN_WORKING.search(text, 0, boxes[0][1])
    ):
        return True
    breaks = [match.end() for match in _SENTENCE_BREAK.finditer(text)]
    previous_end = 0
    for _content, start, end in boxes:
        if previous_end and _doubts_between(text, previous_end, start):
            return True  # `\boxed{6}. Wait, that is incorrect … \boxed{6}`
        index = bisect.bisect_right(breaks, start) - 1
        sentence_start = max(breaks[index] if index >= 0 else 0, previous_end)
        if not re.search(r"[^\W\d_]", text[sentence_start:start]):
            # A box on a line of its own: the last line with words before it leads to it
            # ("Perhaps:"), blank lines between.
            for back in range(index, max(index - _LINES_BACK, -1), -1):
                line_start = max(breaks[back - 1] if back >= 1 else 0, previous_end)
                if re.search(r"[^\W\d_]", text[line_start : breaks[back]]):
                    sentence_start = line_start
                    break
        sentence = text[min(sentence_start, start) : start]
        if previous_end and _SOLUTIONS_JOINED.fullmatch(text, previous_end, start):
            sentence = ""
        if _hedges_before(sentence, _content) or _IN_EXPRESSION_BEFORE.search(
            text[max(0, start - 64) : start]
        ):
            return True
        if _IN_EXPRESSION_AFTER.match(text, end):
            return True
        previous_end = end
    return False


def _joined_by_or(text: str, boxes: list[tuple[str, int, int]]) -> bool:
    """Whether two of the boxes are joined by "or" alone (`$x = \\boxed{1}$ or $x = …`)."""
    return any(
        (joined := _SOLUTIONS_JOINED.fullmatch(text, end, start)) is not None
        and joined.group("or") is not None
        for (_, _, end), (_, start, _) in itertools.pairwise(boxes)
    )


def _derived_answer(text: str) -> bool:
    """Whether text names a quantity made from the answer: "Half the answer", "the answer's
    reciprocal", "the square of the answer". One pass: linear in the text's length."""
    derived = False  # a value-changing word since the clause began
    for token in _DERIVED_ANSWER_TOKEN.finditer(text):
        if token.group("clause"):
            derived = False
        elif token.group("named") is None:
            derived = True
        elif derived or text.startswith(("'s", "’s"), token.end()):
            return True
    return False


def _doubts_between(text: str, start: int, end: int) -> bool:
    """Whether text between two answers doubts or takes one back (conditions aside)."""
    return any(
        not _CONDITION.fullmatch(doubt.group()) for doubt in DOUBT.finditer(text, start, end)
    ) or bool(_REFUTED.search(text, start, end))


def _hedges_before(sentence: str, answer: str = "") -> bool:
    """Whether the sentence that leads to an answer guesses, bounds or calls it wrong, names
    another value of the answer ("The answer rounded to 19 is \\boxed{18}"), or calls the answer
    an approximation where it is no rounded decimal ("Roughly \\boxed{5}")."""
    end = sentence[-_END_OF_SENTENCE:]  # the words right before the answer
    if _APPROXIMATELY_BEFORE.search(end) and not _DECIMAL_VALUE.fullmatch(answer):
        return True
    named = _last(_NAMED_ANSWER.finditer(sentence))
    verb = named and _last(_COPULA.finditer(sentence, named.end()))
    if verb and not sentence[verb.end() :].strip(" \t\n$\\(["):
        clause = _last(_CLAUSE_START.finditer(sentence, 0, named.start()))
        said = sentence[clause.end() if clause else 0 : verb.start()]
        if _VALUE_OF_ITS_OWN.search(sentence, named.end(), verb.start()) or _DERIVED.search(said):
            return True  # "the answer rounded to 19 is", "Half the answer is", "its digit"
    sentence = _without_restated_question(sentence)
    if _HEDGE_BEFORE.search(sentence) or QUALIFIER.search(sentence):
        return True
    end = sentence[-_END_OF_SENTENCE:]
    if _RELATION_BEFORE.search(end) or _BOUND_BEFORE.search(end) or _DOUBT_BEFORE.search(end):
        return True
    # Doubt right before the answer ("I suspect", "Vielleicht"); "the most likely outcome is"
    # further back is the question's wording.
    near = sentence[-_NEAR_ANSWER:]
    return any(not _CONDITION.fullmatch(doubt.group()) for doubt in DOUBT.finditer(near))


@dataclass(frozen=True)
class _Restatement:
    """Where a restated question's subject starts and ends, and where its verb ends."""

    start: int
    end: int
    verb_end: int


def _restated_question(text: str, *, any_values: bool = False) -> _Restatement | None:
    """Where text opens with a restated question: "the", then its subject up to the last verb
    that gives the answer in the clause; None unless every value in it is one of the question's
    objects (`_OBJECT_WORDS`), or, with `any_values`, no value in it is set apart as a claim
    (`_claims_in_subject`). Linear in the text's length."""
    the = _THE.search(text)
    if the is None or _VALUE_OR_MATH.search(text, 0, the.start()):
        return None
    clause_end = _CLAUSE_BREAK.search(text, the.end())
    verb = _last(_COPULA.finditer(text, the.end(), clause_end.start() if clause_end else len(text)))
    if verb is None:
        return None
    subject = text[the.end() : verb.start()].rstrip()
    if not subject or _ANSWER_SUBJECT.match(subject):
        return None
    if any_values and not _claims_in_subject(subject):
        return _Restatement(the.end(), the.end() + len(subject), verb.end())
    tokens = [token.group() for token in _SUBJECT_TOKEN.finditer(subject)]
    objects: set[int] = set()  # the indices of the values that are the question's objects
    for index, token in enumerate(tokens):
        if token.startswith(("$", "\\(")):
            if "=" not in token and re.search(r"(?<![\\A-Za-z])[A-Za-z]", token):
                continue  # "the smallest $n$ such that $n^2+1$ is prime": the question's terms
        elif not _is_value(token.lstrip("+-").replace(",", "").replace(".", "")):
            continue
        before = tokens[index - 1].lower() if index else ""
        if not (before in _OBJECT_WORDS or (before in _OBJECT_LINKS and index - 2 in objects)):
            return None
        objects.add(index)
    return _Restatement(the.end(), the.end() + len(subject), verb.end())


def _without_restated_question(sentence: str) -> str:
    """The sentence without what a restated question it opens with says of its own objects
    (`_OWN_WORDING`)."""
    restated = _restated_question(sentence)
    if restated is None:
        return sentence

    def own(wording: re.Match[str]) -> str:
        before, bound, word, alternative, after, negated = wording.group(
            "before", "bound", "word", "or", "after", "negated"
        )
        if alternative is not None and _is_value(before) and _is_value(after):
            earlier = subject[: wording.start()].split()
            if earlier and earlier[-1].lower() in _OBJECT_WORDS | _OBJECT_LINKS:
                return wording.group("lead") + " "
        if (before.lower() in _COPULAS and negated is None) or _is_value(before):
            return wording.group()
        if bound is not None and word is not None and not _is_value(word):
            return wording.group()  # "at least as large as": a bound of the answer
        if _is_value(after or negated or "") or (after or "").lower() in _PHRASE_DETERMINERS:
            return wording.group()  # "the answer or its double": another value
        return wording.group("lead") + " "

    subject = sentence[restated.start : restated.end]
    subject = _OWN_WORDING.sub(own, subject)
    return sentence[: restated.start] + subject + sentence[restated.end :]


def _is_value(word: str) -> bool:
    return word.isdigit() or is_number_word(word) or word.lower() in _VALUE_WORDS


def _claimed_before(text: str) -> list[str]:
    """The values text before the final answer names as the answer ("The answer is 6.
    \\boxed{5}" names 6), or concludes with on the line that leads to it ("Therefore $6$.",
    "Option D."): more candidates, equal to the answer or not."""
    claims: list[str] = []
    read_to = 0
    for marker in _ANSWER_MARKER.finditer(text):
        if marker.start() < read_to:
            continue  # its sentence is read: once per sentence keeps this linear
        end = _SENTENCE_BREAK.search(text, marker.end())
        read_to = end.start() if end else len(text)
        claims += _claim_after(text[marker.end() : read_to])
    # The line that leads to the box, past lines that only label it ("Final:").
    lines = [line for line in text.rstrip().rsplit("\n", 8) if _WORD_CHAR.search(line)]
    while len(lines) > 1 and _LABEL_LINE.fullmatch(lines[-1]):
        lines.pop()
    concluded = _CONCLUDED_VALUE.fullmatch(lines[-1].strip()) if lines else None
    if concluded:
        claims.append(concluded.group("value").strip("$()").removeprefix("\\(").strip())
    return claims


def _claim_after(claim: str) -> list[str]:
    """The values the sentence after an answer marker states."""
    end = _SENTENCE_BREAK.search(claim)
    claim = (claim[: end.start()] if end else claim).strip().strip("$*:").strip()
    if not claim or _LEADS_INTO_ANSWER.search(claim):
        return []  # `the answer is $x \\in \\boxed{…}`: the claim goes on in the answer
    restated = _restated_question(claim, any_values=True)
    if restated is not None and not claim[restated.verb_end :].strip(" $*_"):
        # "Answer: the number of ways to choose 2 books is \\boxed{6}": the marker names the
        # box, and its sentence is judged as one without the marker would be.
        return []
    if not (
        re.search(
            r"\d|\\(?:frac|sqrt|pi|infty|emptyset|varnothing|varepsilon)(?![A-Za-z])|∅", claim
        )
        or _OPTION.fullmatch(claim)
        or any(is_number_word(word) for word in _WORD.findall(claim))
    ):
        return []
    return stated_values(claim)


def _hidden_boxes(text: str, boxes: list[tuple[str, int, int]]) -> bool:
    r"""Whether a box sits in the argument of a command that hides, strikes or colours it
    (`\cancel{\relax\boxed{5}}`, `\phantom{\,\boxed{5}}`, `\color{white}\boxed{5}`); emphasis
    and plain groups show it."""
    prefix = text[: boxes[-1][1]]
    if "{" not in prefix and "\\color" not in prefix:
        return False  # no group or colour before the last box: nothing hides one
    starts = {start for _, start, _ in boxes}
    commands: list[str] = []
    for token in _BRACE_OR_BOX.finditer(text):
        if token.start() in starts:
            if any(command not in _SHOWING for command in commands):
                return True
            if _COLOURED.search(text, max(0, token.start() - 64), token.start()):
                return True
        elif token.group() == "{":
            command = _COMMAND_BEFORE.search(text, max(0, token.start() - 32), token.start())
            commands.append(command.group(1) if command else "")
        elif token.group() == "}" and commands:
            commands.pop()
    return False


def _stray_boxes(text: str, boxes: list[tuple[str, int, int]]) -> bool:
    """A box command outside the boxes read (`\framebox{6}`, `\boxed\text{6}`, a box never
    closed): an answer we cannot read is still an answer."""
    spans = [(start, end) for _, start, end in boxes]
    starts = [start for start, _ in spans]
    for match in _ANY_BOX.finditer(text):
        index = bisect.bisect_right(starts, match.start()) - 1
        if index < 0 or not spans[index][0] <= match.start() < spans[index][1]:
            return True
    return False


def _loose_numbers(prose: str) -> list[str]:
    """Values stated after the final answer: the answer said again ("The final answer is
    $(1, 2)$") and numbers in digits (in prose, math, `\text{}` or braces; exponents,
    subscripts and the answer's context aside) or in words: each is a second claim unless it
    is equal to the answer."""
    restated = [
        (match.group("math") or match.group("paren") or match.group("number") or "")
        .strip()
        .rstrip(".,")
        for match in _RESTATEMENT.finditer(prose)
    ]
    text = _without_context(_RESTATEMENT.sub(" ", prose))
    text = _SCRIPT.sub(" ", _TEXT_COMMAND.sub(r" \1 ", text))
    numbers = [match.group().rstrip(".,") for match in _LOOSE_NUMBER.finditer(text)]
    words = [word for word in _WORD.findall(text.translate(_FULLWIDTH)) if is_number_word(word)]
    return [value for value in restated if value] + numbers + words


def _without_context(text: str) -> str:
    """Text after the final answer without what it says of the answer's context (`_CONTEXT`)."""
    return _CONTEXT.sub(" ", text)


def _loose_letters(prose: str, answers: list[str]) -> list[str]:
    r"""Option letters stated after a final answer that is one (`B`, `(B)`, `\mathrm{B}`)."""
    if not any(
        _OPTION.fullmatch(_TEXT_COMMAND.sub(r"\1", answer).strip().rstrip("."))
        for answer in answers
    ):
        return []
    return _OPTION_LETTER.findall(_TEXT_COMMAND.sub(r" \1 ", prose))


def _retracts(text: str) -> bool:
    r"""Whether text after the final answer says more than it closes it: the answer is the last
    thing said. What may follow is closing matter (punctuation, math and tag closers), the
    value's unit (`\boxed{189} square centimeters`), a closing formula ("I hope it is
    correct") and boxes (each judged as an answer); anything else (a refutation, an operator,
    a second value, in any language) hedges it."""
    unit, rest = _split_unit_phrase(text)
    if _CLOSING_MATTER.fullmatch(rest) and not (unit and _changes_the_answer(unit)):
        return False
    # "Janet makes $\boxed{18}$ dollars per day at the farmers' market.": the rest of the
    # answer's sentence says what it counts and where, with no value or verdict of its own.
    tail, rest = _sentence_rest(text)
    return not (_describes_the_answer(tail) and _CLOSING_MATTER.fullmatch(rest))


def _changes_the_answer(unit: str) -> bool:
    """Whether the words after a value change or doubt it rather than name its unit."""
    words = _UNIT_WORDS.findall(unit)
    return bool(
        any(names_no_unit(word) and word.lower() not in _UNIT_ENDINGS for word in words)
        or _PHRASE_CHANGES_VALUE.search(unit)
        or RETRACTION.search(unit)
        or QUALIFIER.search(unit)
        or _TIMES_SOMETHING.search(unit)
        or any(word.lower() in _OFF_THE_VALUE for word in words)
        or (words and not _names_a_unit(words))
    )


def _sentence_rest(text: str) -> tuple[str, str]:
    """Text after the final answer as the rest of its sentence and what comes after that."""
    text = _normalized_after(text)
    end = re.search(r"[.!?。！？\n]", text)
    return (text[: end.start()], text[end.start() :]) if end else (text, "")


def _describes_the_answer(tail: str) -> bool:
    """Whether the rest of the answer's sentence only says what the answer counts and where
    or when (`_TAIL_PREPOSITIONS`): no value, verdict, bound, doubt or change of the value."""
    tail = tail.strip()
    if not tail or len(tail) > 200:
        return False
    if _CJK.match(tail):
        counter = _CJK_COUNTERS.match(tail)
        rest = tail[counter.end() :].replace("不同", "") if counter else ""
        return (
            bool(counter)
            and _CJK.fullmatch(rest or "。") is not None
            and not _CJK_HEDGES.search(rest)
        )
    tokens = tail.split()
    if not all(_TAIL_WORD.fullmatch(token) for token in tokens) or _hedges_a_value(tail):
        return False
    words = [
        token.lower().rstrip("'’s") if token.endswith(("'s", "’s")) else token for token in tokens
    ]
    lowered = [word.lower().strip("'’") for word in words]
    index = 0
    while index < min(4, len(words)) and lowered[index] not in _TAIL_PREPOSITIONS | _TAIL_ENDINGS:
        index += 1
    if index and not (_names_a_unit([words[index - 1]]) or lowered[index - 1] in _COUNTED_THINGS):
        return False
    phrase_words = 0
    for word in lowered[index:]:
        if word in _TAIL_PREPOSITIONS:
            phrase_words = 0
        elif word in _TAIL_ENDINGS:
            continue
        elif word in _FUNCTION_WORDS - _PHRASE_DETERMINERS or word in _OFF_THE_VALUE:
            return False
        else:
            phrase_words += 1
            if phrase_words > 5:
                return False
    return index > 0 or lowered[0] in _TAIL_PREPOSITIONS | _TAIL_ENDINGS


def _hedges_a_value(text: str) -> bool:
    """Whether words after a value bound, doubt, negate, change or name another value."""
    words = [word.lower() for word in re.findall(r"[^\W\d_]+", text)]
    return bool(
        _RELATION.search(text)
        or RETRACTION.search(text)
        or DOUBT.search(text)
        or QUALIFIER.search(text)
        or _PHRASE_CHANGES_VALUE.search(text)
        or _TIMES_SOMETHING.search(text)
        or any(
            (len(word) == 1 and word != "a")
            or word in _MATH_WORDS
            or word in _VERDICT_WORDS
            or (word in _FOREIGN_NUMBERS and word not in _FUNCTION_WORDS)
            or re.fullmatch(_FOREIGN_OR, word)
            or is_number_word(word)
            or (word.endswith(("ly", "mente")) and word not in _TAIL_ENDINGS | _NOUNS_IN_LY)
            for word in words
        )
    )


@functools.lru_cache(maxsize=1024)  # read by `_retracts`, `_unit_after` and `_sentence_rest`
def _normalized_after(text: str) -> str:
    """Text after the final answer without its context, the answer said again, closing
    formulas and the math that closes the answer (`$\boxed{28}$ pct`)."""
    text = _without_context(_RESTATEMENT.sub(" ", text))
    text = _CLOSING_FORMULA.sub(" ", _BOX_OR_TEXT.sub(" ", text))
    # `$\boxed{42}$!` ends a sentence; `\boxed{5}!` is a factorial, and hedges before this.
    text = _EXCLAMATION_AFTER_MATH.sub(r"\1.", text)
    return text[_MATH_CLOSE.match(text).end() :].translate(_FULLWIDTH)


def _split_unit_phrase(text: str) -> tuple[str, str]:
    """Text after the final answer as the unit phrase right after the answer's closing math
    ("" when none) and the rest."""
    text = _normalized_after(text)
    unit = _UNIT_PHRASE.match(text)
    if unit is None or not unit.group().strip():
        return "", text
    return unit.group(), text[unit.end() :]


def _unit_after(text: str) -> str:
    r"""The unit a final box is given after it (`\boxed{7} mm`, `\boxed{0.5}\%`,
    `\boxed{30} radians`), as text to read with the box's value; "" when what follows is no
    measure (`\boxed{4} people`). For text after an answer that does not hedge it."""
    unit, _rest = _split_unit_phrase(text)
    # `dollars per day at the market`: the unit ends where the sentence goes on.
    unit = _SENTENCE_GOES_ON.split(unit, maxsplit=1)[0]
    words = _UNIT_WORDS.findall(unit)
    if not unit.strip() or _changes_the_answer(unit):
        return ""
    if words and not any(
        word.casefold() in _MEASURES
        or word.casefold().removesuffix("s") in _MEASURES
        or _SI_UNIT.fullmatch(word)
        for word in words
    ):
        return ""
    unit = unit.replace("}", "").replace("$", "").strip().rstrip(".")
    if "\\" in unit or not re.search(r"[^\W\d_]", unit):
        return unit  # `\%`, `^\circ`, `°`
    return rf"\text{{ {unit.replace('²', '^2').replace('³', '^3')}}}"


def _names_a_unit(words: list[str]) -> bool:
    """Whether words after a value name its unit or the things it counts: they end in a
    unit's name or a plural noun (`square centimeters`, `distinct values`), with no adverb
    among them; an open class of other words ("maximal", "onward", "salah") hedges."""
    last = words[-1]
    if any(
        (word.lower().endswith("ly") and len(word) > 4 and word.lower() not in _NOUNS_IN_LY)
        or (word.lower().endswith("mente") and len(word) > 6)  # `aproximadamente`
        for word in words
    ):
        return False
    if last in _UNIT_ENDINGS or last.lower() in _UNIT_ENDINGS:
        return True
    if _SI_UNIT.fullmatch(last) and last.lower() not in _FUNCTION_WORDS:  # `J`, `kJ`; not `as`
        return True
    return _is_plural(last)


def is_verdict(word: str) -> bool:
    """Whether a word said of a value doubts, bounds, takes back or changes it (`false`,
    `eliminated`, `rounded`, `upper`)."""
    lowered = word.lower()
    return (
        lowered in _VERDICT_WORDS
        or lowered in _OFF_THE_VALUE
        or bool(_CHANGES_AFTER.fullmatch(lowered))
    )


def names_no_unit(word: str) -> bool:
    """Whether a word after a value is no unit of it: a word of a sentence (`is`, `or`), a
    number, a doubt, or a word that changes the value (`squared`, `tops`)."""
    lowered = word.lower()
    return (
        lowered in _FUNCTION_WORDS
        or lowered in _OFF_THE_VALUE
        or lowered in _FOREIGN_NUMBERS
        or bool(re.fullmatch(_FOREIGN_OR, lowered))
        or is_number_word(word)
        or bool(DOUBT.fullmatch(lowered) or _CHANGES_AFTER.fullmatch(lowered))
        or (lowered in _MATH_WORDS and lowered not in ("min", "mod"))
        or lowered in _VARIABLES
        or bool(QUALIFIER.fullmatch(lowered))
    )


def _distinct(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(map(_one_spaced, items)))


def _one_spaced(item: str) -> str:
    if "\n" not in item:
        return " ".join(item.split())
    # A line break stays one: `11` over `5/6` is two lines, not the mixed number 11 5/6.
    return "\n".join(" ".join(line.split()) for line in item.split("\n") if line.strip())


@dataclass(frozen=True)
class CodeBlock:
    language: str
    code: str


def extract_code_block(response: str) -> CodeBlock | None:
    """The last complete fenced code block after the last `</think>` (DESIGN.md).

    Fences pair up in order; an unclosed last fence (a truncated response) does not count.
    `language` is the fence's tag, lower-cased (`""` when untagged).

    >>> extract_code_block("<think>```py\\nprint(1)\\n```</think>```cpp\\nint main(){}\\n```")
    CodeBlock(language='cpp', code='int main(){}\\n')
    >>> extract_code_block("<think>```python\\nprint(1)\\n```</think> no code") is None
    True
    """
    final = final_part(response)
    if final is None:
        return None
    count = final.count(_FENCE)  # the fences, matched from the start without overlaps
    if count < 2:
        return None
    last = _last_fences(final, 2 + count % 2)
    opening, closing = last[0], last[1]
    body = final[opening + len(_FENCE) : closing]
    header, newline, code = body.partition("\n")
    if not newline:
        return CodeBlock("", header)
    return CodeBlock(header.strip().lower(), code)


def _last_fences(text: str, wanted: int) -> list[int]:
    """Where the last `wanted` fences of `text` start, as matching it from the start without
    overlaps finds them: in each run of backticks, every third from the run's start. Found
    from the end, a run at a time (a loop over 333,000 fences took 73 ms an item)."""
    found: list[int] = []
    end = len(text)
    while len(found) < wanted:
        last = text.rfind(_FENCE, 0, end)
        if last < 0:
            break
        run_end = last + len(_FENCE)
        run_start = len(text[:run_end].rstrip("`"))
        fences = (run_end - run_start) // len(_FENCE)
        found[:0] = range(run_start, run_start + fences * len(_FENCE), len(_FENCE))[-wanted:]
        end = run_start
    return found[-wanted:]
