"""Finding a person by name, pinyin or initials, with surnames read as surnames."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from village_desk.pinyin import (
    FORM_SEPARATOR,
    MAX_VARIANTS,
    NameKeys,
    like_pattern,
    matches,
    name_keys,
    normalize_query,
)

# The surname readings the register must get right, written out here independently of the module's
# table. Each is followed by 明 (ming) so that the surname is read inside a whole name.
SURNAME_READINGS = {
    "欧阳": "ouyang",
    "司马": "sima",
    "诸葛": "zhuge",
    "上官": "shangguan",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "长孙": "zhangsun",
    "令狐": "linghu",
    "皇甫": "huangfu",
    "公孙": "gongsun",
    "慕容": "murong",
    "端木": "duanmu",
    "东方": "dongfang",
    "宇文": "yuwen",
    "夏侯": "xiahou",
    "澹台": "tantai",
    "司徒": "situ",
    "申屠": "shentu",
    "呼延": "huyan",
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
    "朝": "chao",
}


@pytest.mark.parametrize(("surname", "reading"), SURNAME_READINGS.items())
def test_a_surname_is_read_as_a_surname(surname: str, reading: str) -> None:
    keys = name_keys(surname + "明")
    assert keys.full == reading + "ming"
    assert matches(reading + "ming", surname + "明")
    assert matches(reading, surname)  # a name of the surname alone is read the same way


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("曾国藩", "zengguofan", "zgf"),
        ("单田芳", "shantianfang", "stf"),
        ("解缙", "xiejin", "xj"),
        ("仇英", "qiuying", "qy"),
        ("区", "ou", "o"),
        ("查良镛", "zhaliangyong", "zly"),
        ("覃", "qin", "q"),
        ("欧阳修", "ouyangxiu", "oyx"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("万俟", "moqi", "mq"),
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("吕布", "lvbu", "lb"),
        ("巴特尔", "bateer", "bte"),  # Mongolian names written in Han characters are Han characters
        ("乌力吉·白音", "wulijibaiyin", "wljby"),
        ("查干巴拉", "chaganbala", "cgbl"),  # Mongolian 查干 is not the surname 查
        ("Bater", "bater", "b"),
        ("Bater Wang", "baterwang", "bw"),
        ("张Tom", "zhangtom", "zt"),
        ("ＢＡＴＥＲ", "bater", "b"),  # full-width letters as an input method may leave them
        ("", "", ""),
        (" · ", "", ""),
    ],
)
def test_full_pinyin_and_initials(name: str, full: str, initials: str) -> None:
    keys = name_keys(name)
    assert (keys.full, keys.initials) == (full, initials)


@pytest.mark.parametrize(
    ("query", "name", "found"),
    [
        ("zs", "张三", True),
        ("ZS", "张三", True),
        ("zhangs", "张三", True),
        ("zhs", "张三", True),  # zh typed whole as the initial of 张
        ("zhangsan", "张三", True),
        (" Zhang San ", "张三", True),
        ("ｚｓ", "张三", True),
        ("san", "张三", True),
        ("张", "张三", True),
        ("张 三", "张三", True),
        ("ls", "张三", False),
        ("李", "张三", False),
        ("sanzs", "张三", False),  # runs across two forms of the stored string
        ("angzs", "张三", False),
        ("曾", "曾国藩", True),
        ("zeng", "曾国藩", True),
        ("zgf", "曾国藩", True),
        ("ceng", "曾国藩", False),  # 曾 as a surname is zeng only
        ("cgf", "曾国藩", False),
        ("guofan", "曾国藩", True),  # the given name alone
        ("gf", "曾国藩", True),
        ("zengguof", "曾国藩", True),
        ("zenggf", "曾国藩", True),
        ("dantianfang", "单田芳", False),
        ("shantf", "单田芳", True),
        ("shtf", "单田芳", True),
        ("jiejin", "解缙", False),
        ("chouying", "仇英", False),
        ("quming", "区明", False),
        ("ouming", "区明", True),
        ("zhangsf", "张三丰", True),
        ("zhangshf", "张顺丰", True),
        ("sanf", "张三丰", True),
        ("zhasf", "张三丰", False),  # a half syllable followed by initials is not a form
        ("ouyangx", "欧阳修", True),
        ("ouyx", "欧阳修", True),
        ("oyx", "欧阳修", True),
        ("yuchig", "尉迟恭", True),
        ("weichigong", "尉迟恭", False),
        ("moqi", "万俟卨", True),
        ("wansi", "万俟卨", False),
        ("zhangle", "张乐", True),  # a polyphonic given name by either reading
        ("zhangyue", "张乐", True),
        ("zy", "张乐", True),
        ("leping", "乐平", False),  # but the surname 乐 is yue only
        ("yueping", "乐平", True),
        ("xinghang", "李行行", True),
        ("lihangxing", "李行行", True),
        ("lichongyang", "李重阳", True),
        ("lizhongyang", "李重阳", True),
        ("lv", "吕布", True),
        ("lubu", "吕布", True),  # ü typed as u
        ("bater", "Bater", True),
        ("BATER", "Bater", True),
        ("baterwang", "Bater Wang", True),
        ("bater wang", "Bater Wang", True),
        ("bw", "Bater Wang", True),
        ("bateer", "巴特尔", True),
        ("bte", "巴特尔", True),
        ("baiyin", "乌力吉·白音", True),
        ("wljby", "乌力吉·白音", True),
        ("乌力吉白音", "乌力吉·白音", True),
        ("乌力吉 · 白音", "乌力吉·白音", True),
        ("白音", "乌力吉・白音", True),
        ("chagan", "查干夫", True),
        ("zhagan", "查干夫", False),
        ("%", "张三", False),
        ("_", "张三", False),
        ("", "张三", True),  # an empty query keeps every name
        ("   ", "张三", True),
        ("", "", True),
        ("zs", "", False),
    ],
)
def test_matches(query: str, name: str, found: bool) -> None:
    assert matches(query, name) is found
    assert matches(query, name, name_keys(name)) is found


def test_stored_keys_are_used_as_given() -> None:
    """Keys read back from storage are trusted: the search does not read the name again."""
    stored = NameKeys(full="zhangsan", initials="zs", search="张三 zhangsan zs zhs")
    assert matches("zhs", "张三", stored)
    assert not matches("lisi", "张三", stored)
    assert matches("lisi", "张三", NameKeys(full="lisi", initials="ls", search="李四 lisi ls"))


@pytest.mark.parametrize(
    ("query", "pattern"),
    [
        ("zs", "%zs%"),
        (" Zhang San ", "%zhangsan%"),
        ("50%", "%50\\%%"),
        ("a_b", "%a\\_b%"),
        ("a\\b", "%a\\\\b%"),
        ("", "%"),
        (" · ", "%"),
    ],
)
def test_like_pattern(query: str, pattern: str) -> None:
    assert like_pattern(query) == pattern


def test_variants_are_bounded_and_the_best_reading_comes_first() -> None:
    name = "和乐行重朝长和乐"  # every character has several readings
    keys = name_keys(name)
    forms = keys.search.split(FORM_SEPARATOR)
    syllables = len(name)
    per_variant = 3 + 2 * (syllables - 2)  # full, two kinds of initials, two mixed forms per split
    assert len(forms) <= 1 + MAX_VARIANTS * per_variant
    assert forms[1] == keys.full  # the name, then the best reading


# --- properties -------------------------------------------------------------------------------------

# The test's own readings (not the module's): surnames, given-name characters with one reading, and
# polyphonic characters with the two readings a clerk may type.
POOL_SURNAMES = {
    "张": "zhang",
    "王": "wang",
    "李": "li",
    "刘": "liu",
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "查": "zha",
    "覃": "qin",
    "区": "ou",
    "欧阳": "ouyang",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "上官": "shangguan",
}
POOL_GIVEN = {
    "三": ("san",),
    "国": ("guo",),
    "芳": ("fang",),
    "伟": ("wei",),
    "丽": ("li",),
    "军": ("jun",),
    "秀": ("xiu",),
    "峰": ("feng",),
    "林": ("lin",),
    "杰": ("jie",),
    "兰": ("lan",),
    "春": ("chun",),
    "山": ("shan",),
    "志": ("zhi",),
    "乐": ("le", "yue"),
    "行": ("xing", "hang"),
    "重": ("zhong", "chong"),
    "长": ("chang", "zhang"),
}
POLYPHONIC = {char for char, readings in POOL_GIVEN.items() if len(readings) > 1}


@st.composite
def pool_names(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A name from the pools and the syllables of its surname and given-name characters."""
    surname = draw(st.sampled_from(sorted(POOL_SURNAMES)))
    given_name = draw(st.lists(st.sampled_from(sorted(POOL_GIVEN)), min_size=0, max_size=3))
    # Within the bound: two polyphonic characters of two readings each make 4 of the 8 variants.
    if sum(char in POLYPHONIC for char in given_name) > 2:
        given_name = [char for char in given_name if char not in POLYPHONIC][:1]
    return surname + "".join(given_name), [surname, *given_name]


def readings_of(parts: list[str]) -> Iterator[list[str]]:
    """Every way the name may be spelled: the surname one way, each given character any of its ways."""
    surname = [POOL_SURNAMES[parts[0]]]
    for choice in itertools.product(*(POOL_GIVEN[char] for char in parts[1:])):
        yield surname + list(choice)


def syllables_of(reading: list[str]) -> list[str]:
    """A compound surname is two syllables."""
    compound = {"ouyang": ["ou", "yang"], "yuchi": ["yu", "chi"], "moqi": ["mo", "qi"]}
    compound["shangguan"] = ["shang", "guan"]
    return compound.get(reading[0], [reading[0]]) + reading[1:]


@settings(max_examples=300)
@given(pool_names())
def test_every_spelling_of_a_pool_name_finds_it(drawn: tuple[str, list[str]]) -> None:
    name, parts = drawn
    keys = name_keys(name)
    assert matches(keys.full, name, keys)
    assert matches(keys.initials, name, keys)
    for reading in readings_of(parts):
        syllables = syllables_of(reading)
        full = "".join(syllables)
        initials = "".join(s[0] for s in syllables)
        assert matches(full, name, keys), full
        assert matches(initials, name, keys), initials
        assert matches(full.upper(), name, keys)
        assert matches(" ".join(syllables), name, keys)
        for k in range(1, len(syllables)):
            mixed = "".join(syllables[:k]) + initials[k:]
            assert matches(mixed, name, keys), mixed
            assert matches("".join(syllables[k:]), name, keys)  # the name without its start
    if not any(char in POLYPHONIC for char in parts):
        (only,) = readings_of(parts)
        assert keys.full == "".join(only)
        assert keys.initials == "".join(s[0] for s in syllables_of(only))


@settings(max_examples=300)
@given(pool_names(), st.integers(1, 4), st.integers(1, 4))
def test_a_query_cannot_run_across_two_stored_forms(
    drawn: tuple[str, list[str]], tail: int, head: int
) -> None:
    name, _ = drawn
    keys = name_keys(name)
    forms = keys.search.split(FORM_SEPARATOR)
    for before, after in itertools.pairwise(forms):
        query = before[-tail:] + after[:head]
        inside_one = any(query in form for form in forms)
        assert matches(query, name, keys) is inside_one, query


@settings(max_examples=500)
@given(st.text(max_size=12))
def test_any_text_gives_keys_that_find_it(name: str) -> None:
    keys = name_keys(name)
    if keys.search:
        forms = keys.search.split(FORM_SEPARATOR)
        assert all(form and normalize_query(form) == form for form in forms)
    assert matches(name, name, keys)
    assert matches(keys.full, name, keys)
    assert matches(keys.initials, name, keys)


@pytest.fixture(scope="module")
def database() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    yield connection
    connection.close()


QUERY_TEXT = st.text(alphabet="zhangsliouyqcfe%_\\ ·ZS张三曾单欧阳乐", max_size=6)


@settings(max_examples=300)
@given(name=pool_names(), query=QUERY_TEXT)
def test_sql_like_agrees_with_matches(
    database: sqlite3.Connection, name: tuple[str, list[str]], query: str
) -> None:
    keys = name_keys(name[0])
    (found,) = database.execute("SELECT ? LIKE ? ESCAPE '\\'", (keys.search, like_pattern(query))).fetchone()
    assert bool(found) is matches(query, name[0], keys)
