"""Fonts by role: discovery, the clerk's choice, CFF files skipped, per-character fallback."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
import reportlab

from printing.fonts import (
    BUNDLED_BOLD,
    BUNDLED_REGULAR,
    SOURCE_BUNDLED,
    FontChoice,
    SystemFonts,
    TextFonts,
    available_font_files,
    fontconfig_candidates,
    is_truetype,
    missing_character_warning,
    parse_fc_list,
    parse_setting,
    resolve_fonts,
    system_fonts,
    windows_candidates,
)
from printing.notices import render_notice
from tests.printing.pdfs import (
    all_text,
    bundled_settings,
    demo_notice,
    embedded_fonts,
    runs_containing,
    text_runs,
)
from village_desk.notices import FontRole, NoticeSettings, Paragraph
from village_desk.paths import fonts_dir
from village_desk.village import VillageProfile

VERA = str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")
REGULAR = str(fonts_dir() / BUNDLED_REGULAR)
BOLD = str(fonts_dir() / BUNDLED_BOLD)
RARE = "𠮷"  # U+20BB7, outside the bundled Noto Sans SC


def cff_file(path: Path) -> Path:
    """The start of an OpenType font with CFF outlines: what reportlab cannot embed."""
    path.write_bytes(b"OTTO" + struct.pack(">HHHH", 1, 16, 0, 0) + b"\0" * 64)
    return path


def linked(folder: Path, name: str, target: str) -> Path:
    """A real TrueType file under another name (what a system fonts folder would hold)."""
    path = folder / name
    path.symlink_to(target)
    return path


def test_bundled_fonts_when_the_system_has_none() -> None:
    resolution = resolve_fonts(system=SystemFonts())
    paths = {role: font.choice.path for role, font in resolution.fonts.items()}
    assert paths == {FontRole.TITLE: BOLD, FontRole.HEI: BOLD, FontRole.BODY: REGULAR, FontRole.KAI: REGULAR}
    assert resolution.warnings == ()


def test_the_clerks_choice_wins() -> None:
    resolution = resolve_fonts([(FontRole.BODY, VERA)], system=SystemFonts())
    assert resolution.fonts[FontRole.BODY].choice.path == VERA
    assert resolution.fonts[FontRole.TITLE].choice.path == BOLD
    assert resolution.warnings == ()


def test_a_missing_choice_falls_back_with_a_warning(tmp_path: Path) -> None:
    gone = str(tmp_path / "simfang.ttf")
    resolution = resolve_fonts([(FontRole.BODY, gone)], system=SystemFonts())
    assert resolution.fonts[FontRole.BODY].choice.path == REGULAR
    (warning,) = resolution.warnings
    assert "正文" in warning and gone in warning and "找不到" in warning


def test_a_cff_font_is_skipped_not_fatal(tmp_path: Path) -> None:
    cff = cff_file(tmp_path / "NotoSansCJK-Regular.otf")
    assert not is_truetype(str(cff))
    resolution = resolve_fonts([(FontRole.HEI, str(cff))], system=SystemFonts())
    assert resolution.fonts[FontRole.HEI].choice.path == BOLD
    (warning,) = resolution.warnings
    assert "黑体" in warning and "TrueType" in warning


def test_truetype_collections_are_read_at_their_index(tmp_path: Path) -> None:
    # A .ttc holding a TrueType face first and a CFF face second.
    header = b"ttcf" + struct.pack(">HHI", 1, 0, 2) + struct.pack(">II", 20, 32)
    faces = b"\x00\x01\x00\x00" + b"\0" * 8 + b"OTTO" + b"\0" * 8
    ttc = tmp_path / "mixed.ttc"
    ttc.write_bytes(header + faces)
    assert is_truetype(str(ttc), 0)
    assert not is_truetype(str(ttc), 1)
    assert not is_truetype(str(ttc), 2)
    assert parse_setting(f"{ttc}#1") == (str(ttc), 1)
    assert parse_setting(str(ttc)) == (str(ttc), 0)
    assert FontChoice(str(ttc), 1).setting == f"{ttc}#1"


def test_fontconfig_listing_by_role(tmp_path: Path) -> None:
    fang = linked(tmp_path, "fangsong.ttf", REGULAR)
    wqy = linked(tmp_path, "wqy-microhei.ttc", BOLD)
    kai = linked(tmp_path, "ukai.ttc", REGULAR)
    cff = cff_file(tmp_path / "NotoSansCJK-Regular.ttc")
    output = "\n".join(
        [
            f"{wqy}\t0\t文泉驿微米黑,WenQuanYi Micro Hei",
            f"{cff}\t0\tNoto Sans CJK SC,Noto Sans CJK SC Regular",
            f"{kai}\t0\tAR PL UKai CN",
            f"{fang}\t0\tFangSong,仿宋",
            f"{fang}\t0\tFangSong,仿宋",
            "garbage line",
        ]
    )
    fonts = parse_fc_list(output)
    assert [choice.path for choice, _ in fonts] == sorted([str(fang), str(kai), str(wqy)])  # CFF skipped
    names = {Path(choice.path).name: choice.name for choice, _ in fonts}
    assert names == {"fangsong.ttf": "仿宋", "wqy-microhei.ttc": "文泉驿微米黑", "ukai.ttc": "AR PL UKai CN"}
    roles, every = fontconfig_candidates(fonts)
    assert [Path(c.path).name for c in roles[FontRole.BODY]] == ["fangsong.ttf"]
    assert [Path(c.path).name for c in roles[FontRole.HEI]] == ["wqy-microhei.ttc"]
    assert [Path(c.path).name for c in roles[FontRole.KAI]] == ["ukai.ttc"]
    assert [Path(c.path).name for c in roles[FontRole.TITLE]] == ["wqy-microhei.ttc"]  # no 小标宋: 黑体
    resolution = resolve_fonts(system=SystemFonts(roles, every))
    assert resolution.fonts[FontRole.BODY].choice.path == str(fang)
    assert resolution.fonts[FontRole.KAI].choice.path == str(kai)


def test_windows_fonts_folder_by_role(tmp_path: Path) -> None:
    system, user = tmp_path / "Fonts", tmp_path / "user"
    system.mkdir()
    user.mkdir()
    linked(system, "SIMFANG.TTF", REGULAR)  # Windows names are not case-sensitive
    linked(system, "simhei.ttf", BOLD)
    linked(system, "simkai.ttf", REGULAR)
    linked(system, "arial.ttf", VERA)  # not a Chinese font: not offered
    roles, every = windows_candidates([system, user])
    assert [c.name for c in roles[FontRole.BODY]] == ["仿宋"]
    assert [c.name for c in roles[FontRole.TITLE]] == ["黑体"]  # no 小标宋 installed
    assert {c.name for c in every} == {"仿宋", "黑体", "楷体"}

    linked(user, "方正小标宋简体.ttf", BOLD)  # installed "for this user only"
    roles, _ = windows_candidates([system, user])
    assert [c.name for c in roles[FontRole.TITLE]] == ["方正小标宋简体", "黑体"]
    assert [c.name for c in roles[FontRole.HEI]] == ["黑体"]
    assert [c.name for c in roles[FontRole.KAI]] == ["楷体"]


def test_the_settings_list_offers_the_bundled_fonts_last(tmp_path: Path) -> None:
    fang = FontChoice(str(linked(tmp_path, "simfang.ttf", REGULAR)), 0, "仿宋")
    hei = FontChoice(str(linked(tmp_path, "simhei.ttf", BOLD)), 0, "黑体")
    choices = available_font_files(SystemFonts({FontRole.BODY: [fang]}, [hei, fang]))
    body = choices[FontRole.BODY]
    assert body[0] == fang and body[1] == hei
    assert [c.path for c in body[2:]] == [REGULAR, BOLD]
    assert all(c.source == SOURCE_BUNDLED for c in body[2:])
    assert [c.path for c in choices[FontRole.TITLE][-2:]] == [BOLD, REGULAR]
    assert choices[FontRole.TITLE][0].label == "黑体（simhei.ttf）"


def test_what_this_machine_has_is_usable() -> None:
    found = system_fonts()
    assert all(is_truetype(c.path, c.index) for c in found.every)
    resolution = resolve_fonts()
    assert set(resolution.fonts) == set(FontRole)


def test_characters_fall_back_character_by_character() -> None:
    fonts = TextFonts(resolve_fonts([(FontRole.BODY, VERA)], system=SystemFonts()))
    runs = fonts.runs("ABC 中文 x", FontRole.BODY)
    assert [(font.choice.path, text) for font, text in runs] == [
        (VERA, "ABC "),
        (REGULAR, "中文"),
        (VERA, " x"),
    ]
    assert fonts.warnings() == []
    runs = fonts.runs(f"张{RARE}、李{RARE}\u3000", FontRole.TITLE)
    # Left blank, one character wide, for writing it in by hand.
    assert [(font.choice.path, text) for font, text in runs] == [(BOLD, "张\u3000、李\u3000\u3000")]
    assert fonts.warnings() == [missing_character_warning(RARE)]
    assert missing_character_warning(RARE) == (
        "“𠮷”这个字没有任何字体能显示，打印出来会是空白，请改用常用字或手写补上。"
    )


def test_a_character_only_a_fallback_font_has_is_drawn_with_it(village: VillageProfile) -> None:
    settings = bundled_settings((FontRole.BODY, VERA))
    notice = demo_notice(body=(Paragraph("Village notice 村务公开 No. 3"),))
    rendered = render_notice(notice, village, settings)
    fonts = {name.split("+")[1] for name in embedded_fonts(rendered.pdf)}
    assert {"BitstreamVeraSans-Roman", "NotoSansSC-Regular", "NotoSansSC-Bold"} <= fonts
    assert all(embedded_fonts(rendered.pdf).values())
    assert runs_containing(rendered.pdf, "Village notice")[0].font == "BitstreamVeraSans-Roman"
    assert runs_containing(rendered.pdf, "村务公开")[0].font == "NotoSansSC-Regular"
    assert "Villagenotice村务公开No.3" in all_text(rendered.pdf)
    assert rendered.warnings == ()


def test_a_rare_character_is_reported_once_and_does_not_crash(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    notice = demo_notice(
        title=f"关于{RARE}大山等农户的公示",
        body=(Paragraph(f"农户{RARE}大山、{RARE}小山，经评议同意。"),),
    )
    rendered = render_notice(notice, village, settings)
    assert rendered.warnings == (missing_character_warning(RARE),)
    assert rendered.pages == 1
    text = all_text(rendered.pdf)
    assert "关于大山等农户的公示" in text and "农户大山、小山，经评议同意。" in text
    assert RARE not in text
    assert runs_containing(rendered.pdf, "大山等农户")[0].text.startswith("关于\u3000大山")


def test_a_settings_font_that_vanished_is_reported(village: VillageProfile, tmp_path: Path) -> None:
    settings = NoticeSettings(fonts=((FontRole.TITLE, str(tmp_path / "FZXBSJW.TTF")),))
    rendered = render_notice(demo_notice(), village, settings)
    assert any("标题" in w and "FZXBSJW.TTF" in w for w in rendered.warnings)
    automatic = resolve_fonts().fonts[FontRole.TITLE].ps_name  # this machine's 标题 font, or the bundled one
    assert runs_containing(rendered.pdf, "低保对象的公示")[0].font == automatic


@pytest.mark.parametrize("role", list(FontRole))
def test_every_role_can_be_chosen(role: FontRole, village: VillageProfile) -> None:
    body = (Paragraph("一、Part A", 1), Paragraph("（一）Part B。", 2), Paragraph("Part C"))
    notice = demo_notice(title="Notice 2026", body=body)
    rendered = render_notice(notice, village, bundled_settings((role, VERA)))
    latin = {
        FontRole.TITLE: "Notice 2026",
        FontRole.HEI: "Part A",
        FontRole.KAI: "Part B",
        FontRole.BODY: "Part C",
    }
    (run,) = [run for page in text_runs(rendered.pdf) for run in page if run.text == latin[role]]
    assert run.font == "BitstreamVeraSans-Roman"
    assert all(embedded_fonts(rendered.pdf).values())
    assert rendered.warnings == ()
