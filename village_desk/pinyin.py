"""Search keys for personal names: full pinyin, initials and the mixed forms a clerk types.

A person's name gets a ``NameKeys`` once, when it is saved; storage keeps ``full`` (for sorting by
pinyin) and ``search`` (for finding) beside the name, and a search is one SQL condition::

    name_search LIKE :pattern ESCAPE '\\'        -- :pattern = like_pattern(query)

``matches`` is the same rule in Python, for small lists and for tests.

The rule. A query is trimmed, lower-cased, its spaces and name separators (· - .) dropped; an empty
query matches every name. Otherwise it matches when it is a substring of one of these *forms*:

1. the name itself, separators dropped (乌力吉·白音 is found by 乌力吉白音 too);
2. the full pinyin of one reading of the name, without tones: 张三 → ``zhangsan``;
3. the initials of one reading: ``zs``; also with zh, ch, sh kept as two letters: ``zhs``;
4. a mixed form of one reading: the full pinyin of the first k characters, then the initials of the
   rest, for 1 ≤ k ≤ n-2 (k = n-1 is already a prefix of the full pinyin): 张三丰 → ``zhangsf``,
   ``zhangshf``... Because these are substrings, ``zhangs``, ``sanf`` (given name only) and ``sf``
   match too. A syllable typed half-way *inside* a query (``zhasf``) does not: each character is
   typed in full or by its initial, full ones first — a rule a clerk can predict.

Readings. The first characters of a Han name are read as a surname from our own table (pypinyin
0.55 has no surname mode): compound surnames first (欧阳 ouyang, 万俟 moqi, 尉迟 yuchi), then single
surnames with a reading of their own (曾 zeng, 单 shan, 解 xie, 区 ou...). A surname has one
reading only (the table's, else pypinyin's first reading of the character), so ``ceng`` does not
find 曾国藩. Every other character gets pypinyin's reading in context first, then its other
readings, so a given name with 乐, 行 or 重 is found by either reading; ü is written ``v`` (lv, nve)
as every input method does, and ``u`` is accepted too.
The readings of one name are combined into at most ``MAX_VARIANTS`` variants, fewest changes from
the best reading first. Latin letters and digits pass through lower-cased, one word one syllable.
A Han character pypinyin does not know adds nothing to the pinyin forms (the name form still has it).

Why one separated string. ``search`` holds the forms joined by a single space. The query never
contains a space (spaces are dropped from it), so ``LIKE '%q%'`` over the whole string can only
match inside one form: ``sanzs`` does not match ``zhangsan zs``. A form that is a substring of
another form is left out, as it can add no match. Everything stored is lower-case, so the LIKE
means the same in SQLite (case-blind for ASCII) and PostgreSQL (case-sensitive).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

MAX_VARIANTS = 8
"""How many readings of one name are kept; the best reading is always the first."""

FORM_SEPARATOR = " "
"""Joins the forms in ``NameKeys.search``; queries never contain it."""

LIKE_ESCAPE = "\\"
"""The escape character ``like_pattern`` uses: write ``ESCAPE '\\'`` after the LIKE."""

# Dropped from names and queries alike: spaces and the dots and hyphens between the parts of a name
# (乌力吉·白音, 阿依古丽・买买提, Jean-Pierre; ・ is the Japanese middle dot input methods often give),
# and invisible control and format characters pasted in from other programs.
_SEPARATORS = re.compile(
    r"[\s·・•‧∙⋅\-‐.\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]+"
)

# Compound surnames, and leading name words that look like a surname but are not one. Data, not code:
# each value is the toneless syllables, space-separated. A compound is taken whenever a name starts
# with it; 单于 (chan yu) is left out because 单 (shan) with a given name starting with 于 is likelier.
_LEADING_WORDS: dict[str, str] = {
    "欧阳": "ou yang",
    "司马": "si ma",
    "诸葛": "zhu ge",
    "上官": "shang guan",
    "尉迟": "yu chi",
    "万俟": "mo qi",
    "长孙": "zhang sun",
    "令狐": "ling hu",
    "皇甫": "huang fu",
    "公孙": "gong sun",
    "慕容": "mu rong",
    "端木": "duan mu",
    "东方": "dong fang",
    "宇文": "yu wen",
    "夏侯": "xia hou",
    "澹台": "tan tai",
    "司徒": "si tu",
    "申屠": "shen tu",
    "呼延": "hu yan",
    "闻人": "wen ren",
    "赫连": "he lian",
    "独孤": "du gu",
    "南宫": "nan gong",
    "西门": "xi men",
    "轩辕": "xuan yuan",
    "钟离": "zhong li",
    "太史": "tai shi",
    "公冶": "gong ye",
    "濮阳": "pu yang",
    "淳于": "chun yu",
    "仲孙": "zhong sun",
    "叔孙": "shu sun",
    "宗政": "zong zheng",
    "公羊": "gong yang",
    "拓跋": "tuo ba",
    "百里": "bai li",
    "东郭": "dong guo",
    "南门": "nan men",
    "梁丘": "liang qiu",
    "左丘": "zuo qiu",
    "第五": "di wu",
    "公西": "gong xi",
    "乐正": "yue zheng",
    "亓官": "qi guan",
    "巫马": "wu ma",
    "羊舌": "yang she",
    "微生": "wei sheng",
    "谷梁": "gu liang",
    "漆雕": "qi diao",
    "壤驷": "rang si",
    "司空": "si kong",
    "司寇": "si kou",
    "颛孙": "zhuan sun",
    "鲜于": "xian yu",
    "闾丘": "lv qiu",
    "公良": "gong liang",
    "段干": "duan gan",
    "东门": "dong men",
    # Mongolian 查干 ("white") begins many names in Inner Mongolia (查干夫, 查干朝鲁); it is not 查 zha.
    "查干": "cha gan",
}

# Single-character surnames whose surname reading is not pypinyin's first reading of the character,
# or that have several readings and must keep the surname one.
_SURNAMES: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "覃": "qin",
    "朴": "piao",
    "盖": "ge",
    "乐": "yue",
    "缪": "miao",
    "翟": "zhai",
    "种": "chong",
    "员": "yun",
    "秘": "bi",
    "黑": "he",
    "华": "hua",
    "任": "ren",
    "纪": "ji",
    "尉": "yu",
    "召": "shao",
    "繁": "po",
    "过": "guo",
    "冼": "xian",
    "句": "gou",
    "眭": "sui",
    "蕃": "pi",
    "阚": "kan",
    "莘": "shen",
    "谌": "chen",
    "长": "chang",
    "柏": "bai",
    "石": "shi",
    "沈": "shen",
    "卜": "bu",
    "薄": "bo",
    "宿": "su",
    "隗": "wei",
    "逄": "pang",
    "相": "xiang",
    "重": "chong",
    "都": "du",
    "车": "che",
    "费": "fei",
    "能": "nai",
    "朝": "chao",
    "藏": "zang",
    "哈": "ha",
    "郇": "huan",
    "洗": "xian",
    "便": "pian",
    "要": "yao",
    "传": "chuan",
    "叶": "ye",
    "折": "she",
    "祭": "zhai",
    "曲": "qu",
    "佴": "nai",
    "贾": "jia",
    "万": "wan",
    "乜": "nie",
    "牟": "mou",
    "於": "yu",
    "和": "he",
    "盛": "sheng",
    "粘": "nian",
    "伯": "bo",
    "陆": "lu",
    "六": "lu",
    "冯": "feng",
    "奇": "qi",
    "强": "qiang",
    "殷": "yin",
    "应": "ying",
    "宁": "ning",
    "那": "na",
    "大": "da",
    "落": "luo",
    "角": "jue",
}


@dataclass(frozen=True, slots=True)
class NameKeys:
    """What storage keeps beside a name so that it can be found by pinyin.

    ``full`` and ``initials`` are the best reading ("zhangsan", "zs"): ``full`` sorts names by pinyin.
    ``search`` holds every form ``matches`` looks in, separated by ``FORM_SEPARATOR``.
    """

    full: str
    initials: str
    search: str


class _Slot(NamedTuple):
    """One syllable position of a name: its readings, best first; ``han`` is False for a Latin word."""

    readings: tuple[str, ...]
    han: bool


def normalize_query(text: str) -> str:
    """The text as it is compared: full-width folded (NFKC), lower-cased, spaces and separators dropped."""
    folded = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).lower())
    # Again: dropping a separator can leave a combining mark next to a letter (NFKC makes ´ a space
    # and a combining acute), which composes only now.
    return unicodedata.normalize("NFKC", folded)


def like_pattern(query: str) -> str:
    """The LIKE pattern for a query over ``NameKeys.search`` (use with ``ESCAPE '\\'``).

    % and _ typed by the user are escaped, so they match themselves. An empty query gives "%",
    which matches every row, as ``matches`` does.
    """
    text = normalize_query(query)
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%" if escaped else "%"


def matches(query: str, name: str, keys: NameKeys | None = None) -> bool:
    """True when the query finds the name by the rule in this module's docstring.

    Pass ``keys`` when they are at hand (stored beside the name) to save computing them again.
    """
    text = normalize_query(query)
    if not text:
        return True
    if keys is None:
        keys = name_keys(name)
    return text in normalize_query(name) or text in keys.search


def name_keys(name: str) -> NameKeys:
    """The pinyin keys of a personal name; never fails, whatever the name holds."""
    slots = _slots(unicodedata.normalize("NFKC", name).lower())
    variants = _variants(slots)
    han = tuple(slot.han for slot in slots)
    forms = [normalize_query(name)]
    for syllables in variants:
        forms.extend(_forms(syllables, han))
    best = variants[0]
    return NameKeys(
        full="".join(best),
        initials="".join(s[0] for s in best),
        search=FORM_SEPARATOR.join(_without_redundant(forms)),
    )


def _forms(syllables: tuple[str, ...], han: tuple[bool, ...]) -> list[str]:
    """Full pinyin, both kinds of initials and the mixed forms of one reading."""
    if not syllables:
        return []
    firsts = [s[0] for s in syllables]
    heads = [
        s[:2] if is_han and s[:2] in ("zh", "ch", "sh") else s[0]
        for s, is_han in zip(syllables, han, strict=True)
    ]
    forms = ["".join(syllables), "".join(firsts), "".join(heads)]
    for k in range(1, len(syllables) - 1):
        lead = "".join(syllables[:k])
        forms.append(lead + "".join(firsts[k:]))
        forms.append(lead + "".join(heads[k:]))
    return forms


def _without_redundant(forms: list[str]) -> list[str]:
    """Distinct non-empty forms, in order, leaving out any that lies inside another."""
    distinct = list(dict.fromkeys(f for f in forms if f))
    # Longest first: a form inside a dropped one is inside the form that one lies in, too. The kept
    # forms are joined by the separator, which no form contains, so ``in`` never spans two of them.
    kept = ""
    for form in sorted(distinct, key=len, reverse=True):
        if form not in kept:
            kept += FORM_SEPARATOR + form
    kept_forms = set(kept.split(FORM_SEPARATOR))
    return [form for form in distinct if form in kept_forms]


def _variants(slots: list[_Slot]) -> list[tuple[str, ...]]:
    """Up to MAX_VARIANTS readings of the whole name: the best, then one change, two changes...

    Among readings with as many changes, a character's second reading comes before any third one,
    and earlier characters first, so the budget is shared fairly between the characters.
    """
    best = tuple(slot.readings[0] for slot in slots)
    result = [best]
    if all(len(slot.readings) == 1 for slot in slots):
        return result
    changes = sorted(
        ((rank, pos) for pos, slot in enumerate(slots) for rank in range(1, len(slot.readings))),
    )
    for count in range(1, len(slots) + 1):
        if len(result) >= MAX_VARIANTS:
            break
        combos = [
            combo
            for combo in itertools.combinations(changes, count)
            if len({pos for _, pos in combo}) == count
        ]
        combos.sort(key=lambda combo: (sum(rank for rank, _ in combo), sorted(pos for _, pos in combo)))
        for combo in combos[: MAX_VARIANTS - len(result)]:
            reading = list(best)
            for rank, pos in combo:
                reading[pos] = slots[pos].readings[rank]
            result.append(tuple(reading))
    return result


def _slots(text: str) -> list[_Slot]:
    """Cut a normalized name into syllable positions; separators and punctuation only split."""
    slots: list[_Slot] = []
    known = _known_han()
    i, first = 0, True
    while i < len(text):
        ch = text[i]
        if ord(ch) in known:
            j = i
            while j < len(text) and ord(text[j]) in known:
                j += 1
            slots.extend(_han_slots(text[i:j], surname=first))
            i = j
        elif ch.isalnum() and not _is_cjk(ch):
            j = i
            while j < len(text) and text[j].isalnum() and ord(text[j]) not in known and not _is_cjk(text[j]):
                j += 1
            slots.append(_Slot((text[i:j],), False))
            i = j
        else:
            # A separator, a punctuation mark or a Han character pypinyin has no reading for.
            if _SEPARATORS.fullmatch(ch) is None:
                first = False
            i += 1
            continue
        first = False
    return slots


def _han_slots(run: str, *, surname: bool) -> list[_Slot]:
    """Slots for a run of Han characters; when the run opens the name, its start is a surname."""
    slots: list[_Slot] = []
    if surname:
        if run[:2] in _LEADING_WORDS:
            slots.extend(_fixed_slots(_LEADING_WORDS[run[:2]]))
            run = run[2:]
        else:
            # A surname has one reading: the table's, else pypinyin's first. It is read alone, so
            # that no phrase runs across it into the given name.
            own = _run_slots(run[0])
            reading = _SURNAMES.get(run[0]) or (own[0].readings[0] if own else "")
            slots.extend(_fixed_slots(reading))
            run = run[1:]
    if run:
        slots.extend(_run_slots(run))
    return slots


@functools.lru_cache(maxsize=256)
def _fixed_slots(syllables: str) -> tuple[_Slot, ...]:
    """Slots with one reading each (surnames), ü also as u."""
    return tuple(_Slot(_with_u(s), True) for s in syllables.split())


@functools.lru_cache(maxsize=32768)
def _run_slots(run: str) -> tuple[_Slot, ...]:
    """Slots for a run of known Han characters: pypinyin's reading in context first, then the others.

    Cached: given names repeat a great deal in a village register.
    """
    from pypinyin import Style, lazy_pinyin

    best = lazy_pinyin(run, style=Style.NORMAL)
    if len(best) != len(run):  # not expected for known characters; never misalign syllables
        best = [lazy_pinyin(ch, style=Style.NORMAL)[0] for ch in run]
    slots = (_Slot(_readings(ch, reading), True) for ch, reading in zip(run, best, strict=True))
    return tuple(slot for slot in slots if slot.readings)


def _with_u(syllable: str) -> tuple[str, ...]:
    """lv, nve: also lu, nue — ü as the clerk may type it."""
    if "v" in syllable:
        return (syllable, syllable.replace("v", "u"))
    return (syllable,)


@functools.cache
def _readings(char: str, best: str) -> tuple[str, ...]:
    """All toneless readings of one character, ``best`` first."""
    from pypinyin import Style, pinyin

    others = pinyin(char, style=Style.NORMAL, heteronym=True)[0]
    spelled = [spelling for reading in (best, *others) if reading for spelling in _with_u(reading)]
    return tuple(dict.fromkeys(spelled))


@functools.cache
def _known_han() -> frozenset[int]:
    """Code points pypinyin has a reading for (imported late: pypinyin takes 0.2 s to load)."""
    from pypinyin.pinyin_dict import pinyin_dict

    return frozenset(pinyin_dict)


def _is_cjk(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK ")
