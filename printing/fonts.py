"""Fonts for printed pages, chosen by role (标题, 正文, 黑体, 楷体), and per-character fallback.

Which file serves a role, best first:
1. the clerk's own choice in the settings (a file path), when the file exists and reportlab can use it;
   otherwise a warning says so and the automatic choice is used;
2. the system's GB fonts: on Windows the Fonts folders (simfang.ttf for 正文/仿宋, simhei.ttf for 黑体,
   simkai.ttf for 楷体, 方正小标宋 for 标题, falling back to 华文中宋/simhei/simsun); on Linux what
   fontconfig lists (``fc-list``), matched by family name;
3. the bundled Noto Sans SC (OFL): regular for 正文 and 楷体, bold for 标题 and 黑体.

reportlab embeds TrueType outlines only: CFF/OpenType-PS fonts (e.g. Noto Sans CJK .ttc from fontconfig)
are detected from the file header and skipped. A .ttc file is read at its subfont index.

reportlab silently drops characters its font lacks, so every string drawn goes through
``TextFonts.runs``: each character is drawn with the role's font when it has the character, else with
the first other font that has it (the other roles' fonts, then the bundled Noto); characters no font
has are left blank (a full-width space, to be written in by hand) and collected as warnings.
"""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from village_desk.notices import FontRole
from village_desk.paths import fonts_dir

BUNDLED_REGULAR = "NotoSansSC_400Regular.ttf"
BUNDLED_BOLD = "NotoSansSC_700Bold.ttf"
_BUNDLED_NAMES = {
    BUNDLED_REGULAR: "思源黑体 Noto Sans SC 常规（内置）",
    BUNDLED_BOLD: "思源黑体 Noto Sans SC 粗体（内置）",
}
_BUNDLED_FOR_ROLE = {
    FontRole.TITLE: BUNDLED_BOLD,
    FontRole.BODY: BUNDLED_REGULAR,
    FontRole.HEI: BUNDLED_BOLD,
    FontRole.KAI: BUNDLED_REGULAR,
}
# Where a character missing from a role's font is looked for: fonts of a like weight first.
_FALLBACK_ORDER = {
    FontRole.BODY: (FontRole.KAI, FontRole.HEI, FontRole.TITLE),
    FontRole.KAI: (FontRole.BODY, FontRole.HEI, FontRole.TITLE),
    FontRole.HEI: (FontRole.TITLE, FontRole.BODY, FontRole.KAI),
    FontRole.TITLE: (FontRole.HEI, FontRole.BODY, FontRole.KAI),
}

SOURCE_SYSTEM = "系统字体"
SOURCE_BUNDLED = "内置字体"
SOURCE_CHOSEN = "自选字体"

# --- Windows: known Chinese font files, with the names clerks know them by ----------------------------
_WINDOWS_NAMES = {
    "simfang.ttf": "仿宋",
    "simhei.ttf": "黑体",
    "simkai.ttf": "楷体",
    "simsun.ttc": "宋体",
    "仿宋_gb2312.ttf": "仿宋_GB2312",
    "楷体_gb2312.ttf": "楷体_GB2312",
    "fzxbsjw.ttf": "方正小标宋简体",
    "方正小标宋简体.ttf": "方正小标宋简体",
    "fzxbsk.ttf": "方正小标宋_GBK",
    "方正小标宋_gbk.ttf": "方正小标宋_GBK",
    "fzfsk.ttf": "方正仿宋_GBK",
    "fzktk.ttf": "方正楷体_GBK",
    "fzhtk.ttf": "方正黑体_GBK",
    "stfangso.ttf": "华文仿宋",
    "stkaiti.ttf": "华文楷体",
    "stsong.ttf": "华文宋体",
    "stzhongs.ttf": "华文中宋",
    "msyh.ttc": "微软雅黑",
    "msyhbd.ttc": "微软雅黑 粗体",
}
# Best first per role. 华文中宋 is the usual stand-in for 小标宋 in offices that lack it.
_WINDOWS_ROLE_FILES: dict[FontRole, tuple[str, ...]] = {
    FontRole.TITLE: (
        "fzxbsjw.ttf",
        "方正小标宋简体.ttf",
        "fzxbsk.ttf",
        "方正小标宋_gbk.ttf",
        "stzhongs.ttf",
        "simhei.ttf",
        "simsun.ttc",
    ),
    FontRole.BODY: ("simfang.ttf", "仿宋_gb2312.ttf", "fzfsk.ttf", "stfangso.ttf", "simsun.ttc"),
    FontRole.HEI: ("simhei.ttf", "fzhtk.ttf"),
    FontRole.KAI: ("simkai.ttf", "楷体_gb2312.ttf", "fzktk.ttf", "stkaiti.ttf"),
}

# --- fontconfig: family-name keywords per role, best first (lower case), and names that rule a font out --
_XBS = (("小标宋", "xiaobiaosong", "fzxbs", "中宋", "zhongsong"), ())
_FANG = (("仿宋", "fangsong", "fang song", "simfang"), ())
_SONG = (("宋体", "simsun", "songti", "song", "uming cn", "ming cn"), ("仿宋", "fang", "中宋", "zhongsong"))
_HEI = (("黑体", "simhei", "heiti", "hei", "wenquanyi", "wqy", "yahei"), ())
_KAI = (("楷体", "kaiti", "wenkai", "ukai cn", "kai"), ())
_FC_ROLE_KEYWORDS: dict[FontRole, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {
    FontRole.TITLE: (_XBS, _HEI, _SONG),
    FontRole.BODY: (_FANG, _SONG),
    FontRole.HEI: (_HEI,),
    FontRole.KAI: (_KAI,),
}


@dataclass(frozen=True)
class FontChoice:
    """A font file (and subfont of a .ttc) as the settings list shows it."""

    path: str
    index: int = 0
    name: str = ""  # 仿宋, 文泉驿微米黑, 思源黑体 Noto Sans SC 常规（内置）
    source: str = SOURCE_SYSTEM

    @property
    def setting(self) -> str:
        """The value kept in ``NoticeSettings.fonts``: the path, with ``#n`` for a .ttc subfont."""
        return self.path if self.index == 0 else f"{self.path}#{self.index}"

    @property
    def label(self) -> str:
        """仿宋（simfang.ttf）: the name and the file, for a drop-down."""
        file_name = Path(self.path).name
        if self.source == SOURCE_BUNDLED:
            return self.name
        return f"{self.name}（{file_name}）" if self.name else file_name


def parse_setting(value: str) -> tuple[str, int]:
    """The path and subfont index of a setting written by ``FontChoice.setting``."""
    value = value.strip()
    if not value or os.path.exists(value):
        return value, 0
    head, sep, tail = value.rpartition("#")
    if sep and tail.isdigit():
        return head, int(tail)
    return value, 0


def bundled_choice(file_name: str) -> FontChoice:
    return FontChoice(str(fonts_dir() / file_name), 0, _BUNDLED_NAMES[file_name], SOURCE_BUNDLED)


def is_truetype(path: str, index: int = 0) -> bool:
    """Does the file hold TrueType (glyf) outlines at ``index``? False for CFF (OTTO) and unreadable files.

    Reads only the header, so the settings list can skip CFF fonts without loading them.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
            if head[:4] == b"ttcf":
                count = struct.unpack(">I", head[8:12])[0]
                if not 0 <= index < count:
                    return False
                handle.seek(12 + 4 * index)
                (offset,) = struct.unpack(">I", handle.read(4))
                handle.seek(offset)
                version = handle.read(4)
            else:
                if index != 0:
                    return False
                version = head[:4]
    except (OSError, struct.error):
        return False
    return version in (b"\x00\x01\x00\x00", b"true")


# --- discovery ---------------------------------------------------------------------------------------


def windows_font_dirs() -> list[Path]:
    """%WINDIR%\\Fonts and the per-user fonts folder (fonts installed "for me only")."""
    dirs = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return dirs


def windows_candidates(dirs: Sequence[Path]) -> tuple[dict[FontRole, list[FontChoice]], list[FontChoice]]:
    """Per role the known GB fonts present in ``dirs`` (best first), and every known Chinese font found."""
    found: dict[str, Path] = {}
    for folder in dirs:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            key = entry.name.lower()
            if key in _WINDOWS_NAMES and key not in found:
                found[key] = entry
    every = [FontChoice(str(found[key]), 0, _WINDOWS_NAMES[key]) for key in _WINDOWS_NAMES if key in found]
    every = [choice for choice in every if is_truetype(choice.path, choice.index)]
    by_path = {choice.path: choice for choice in every}
    roles = {
        role: [by_path[str(found[key])] for key in keys if key in found and str(found[key]) in by_path]
        for role, keys in _WINDOWS_ROLE_FILES.items()
    }
    return roles, every


def parse_fc_list(output: str) -> list[tuple[FontChoice, str]]:
    """Fonts from ``fc-list --format '%{file}\\t%{index}\\t%{family}\\n'``: TrueType only, sorted by path,
    each with its family names (fontconfig lists them in several languages: 文泉驿微米黑,WenQuanYi Micro Hei)."""
    fonts: dict[tuple[str, int], tuple[FontChoice, str]] = {}
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0]:
            continue
        path, index_text, family = parts[0], parts[1], parts[2]
        try:
            index = int(index_text or 0)
        except ValueError:
            continue
        if (path, index) in fonts or not is_truetype(path, index):
            continue
        names = [n.strip() for n in family.split(",") if n.strip()]
        chinese = [n for n in names if any(ord(c) > 0x2E80 for c in n)]
        display = (chinese or names or [Path(path).stem])[0]
        fonts[(path, index)] = (FontChoice(path, index, display), ",".join(names).lower())
    return [fonts[key] for key in sorted(fonts)]


def fontconfig_candidates(
    fonts: Sequence[tuple[FontChoice, str]],
) -> tuple[dict[FontRole, list[FontChoice]], list[FontChoice]]:
    """Per role the fonts whose family names match the role's keywords (best keyword first), and all."""
    roles: dict[FontRole, list[FontChoice]] = {}
    for role, groups in _FC_ROLE_KEYWORDS.items():
        picked: list[FontChoice] = []
        for keywords, excluded in groups:
            for keyword in keywords:
                for choice, families in fonts:
                    if keyword not in families or choice in picked:
                        continue
                    if not any(word in families for word in excluded):
                        picked.append(choice)
        roles[role] = picked
    return roles, [choice for choice, _ in fonts]


def run_fc_list() -> str:
    """What fontconfig knows of Chinese fonts; empty when fc-list is missing or fails."""
    try:
        result = subprocess.run(
            ["fc-list", ":lang=zh", "--format=%{file}\\t%{index}\\t%{family}\\n"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout if result.returncode == 0 else ""


@dataclass(frozen=True)
class SystemFonts:
    """The system's Chinese fonts: per role the best candidates first, and all usable ones."""

    roles: Mapping[FontRole, Sequence[FontChoice]] = field(default_factory=dict)
    every: Sequence[FontChoice] = ()


@cache
def system_fonts() -> SystemFonts:
    """Discovered once per process (fc-list takes a moment)."""
    if sys.platform == "win32":
        roles, every = windows_candidates(windows_font_dirs())
    else:
        roles, every = fontconfig_candidates(parse_fc_list(run_fc_list()))
    return SystemFonts(roles, every)


def available_font_files(system: SystemFonts | None = None) -> dict[FontRole, list[FontChoice]]:
    """For the settings page: per role, every usable font, the role's recommended ones first,
    the bundled Noto Sans SC last. (An empty setting means "automatic", which the page offers itself.)"""
    found = system if system is not None else system_fonts()
    bundled = [bundled_choice(BUNDLED_REGULAR), bundled_choice(BUNDLED_BOLD)]
    result: dict[FontRole, list[FontChoice]] = {}
    for role in FontRole:
        preferred = list(found.roles.get(role, ()))
        rest = [c for c in found.every if c not in preferred]
        mine = bundled_choice(_BUNDLED_FOR_ROLE[role])
        result[role] = [*preferred, *rest, mine, *(b for b in bundled if b != mine)]
    return result


# --- loading (cached per process) --------------------------------------------------------------------


class LoadedFont:
    """A font registered with reportlab, with its character map and advance widths."""

    def __init__(self, choice: FontChoice, name: str, ttf: Any) -> None:
        self.choice = choice
        self.name = name  # reportlab's registered name
        self.ttf = ttf
        face = ttf.face
        self.cmap: Mapping[int, int] = face.charToGlyph
        self._widths: Mapping[int, int] = face.charWidths
        self._default = face.defaultWidth
        self.ps_name: str = face.name.decode("latin-1") if isinstance(face.name, bytes) else str(face.name)

    def has(self, char: str) -> bool:
        return ord(char) in self.cmap

    def advance(self, char: str) -> float:
        """The advance width of ``char`` in em (1.0 for a CJK ideograph)."""
        return float(self._widths.get(ord(char), self._default)) / 1000.0

    def width(self, text: str, size: float) -> float:
        widths = self._widths
        default = self._default
        return sum(widths.get(ord(c), default) for c in text) * size / 1000.0

    def __repr__(self) -> str:
        return f"LoadedFont({self.choice.path!r}#{self.choice.index}, {self.ps_name})"


_lock = threading.RLock()
_loaded: dict[tuple[str, int], LoadedFont | None] = {}


def load_font(choice: FontChoice) -> LoadedFont | None:
    """Register ``choice`` with reportlab once per process; None when it is missing or unusable."""
    key = (os.path.abspath(choice.path), choice.index)
    with _lock:
        if key in _loaded:
            return _loaded[key]
        if not os.path.isfile(key[0]):
            return None  # not remembered: the file may appear later (a font installed meanwhile)
        font: LoadedFont | None = None
        if is_truetype(key[0], choice.index):
            digest = hashlib.sha1(f"{key[0]}#{key[1]}".encode()).hexdigest()[:10]
            name = f"VD-{Path(key[0]).stem}-{key[1]}-{digest}"
            try:
                ttf = TTFont(name, key[0], subfontIndex=choice.index)
                pdfmetrics.registerFont(ttf)
                font = LoadedFont(choice, name, ttf)
            except Exception:  # reportlab raises TTFError, ValueError, struct.error… for broken files
                font = None
        _loaded[key] = font
        return font


# --- resolving the roles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FontResolution:
    """The font of each role, and what the clerk should know about the choice."""

    fonts: Mapping[FontRole, LoadedFont]
    warnings: tuple[str, ...] = ()


def resolve_fonts(
    chosen: Iterable[tuple[FontRole, str]] = (), system: SystemFonts | None = None
) -> FontResolution:
    """The font per role: the clerk's choice when usable, else the system's GB font, else the bundled one."""
    wanted = {role: value for role, value in chosen if value.strip()}
    found = system if system is not None else system_fonts()
    fonts: dict[FontRole, LoadedFont] = {}
    warnings: list[str] = []
    for role in FontRole:
        automatic = _automatic(role, found)
        if role in wanted:
            path, index = parse_setting(wanted[role])
            loaded = load_font(FontChoice(path, index, Path(path).stem, SOURCE_CHOSEN))
            if loaded is not None:
                fonts[role] = loaded
                continue
            reason = "找不到" if not os.path.isfile(path) else "无法使用（只支持TrueType字体）"
            warnings.append(
                f"设置里为“{role.value}”选的字体文件“{path}”{reason}，已改用“{automatic.choice.label}”。"
                "请到设置里重新选择字体。"
            )
        fonts[role] = automatic
    return FontResolution(fonts, tuple(warnings))


def _automatic(role: FontRole, found: SystemFonts) -> LoadedFont:
    for choice in found.roles.get(role, ()):
        loaded = load_font(choice)
        if loaded is not None:
            return loaded
    return bundled_font(_BUNDLED_FOR_ROLE[role])


def bundled_font(file_name: str) -> LoadedFont:
    loaded = load_font(bundled_choice(file_name))
    if loaded is None:
        raise RuntimeError(f"the bundled font {fonts_dir() / file_name} is missing or damaged")
    return loaded


# --- per-character fallback --------------------------------------------------------------------------


BLANK = "\u3000"  # what is drawn for a character no font has: an ideographic space


def missing_character_warning(char: str) -> str:
    return f"“{char}”这个字没有任何字体能显示，打印出来会是空白，请改用常用字或手写补上。"


class TextFonts:
    """The fonts of one document: splits strings into runs of one font each and collects missing characters.

    A character the role's font lacks is drawn with the first font of the chain that has it: the role's
    font, the other roles' fonts (those of a like weight first), then the bundled Noto Sans SC.
    """

    def __init__(self, resolution: FontResolution) -> None:
        self.resolution = resolution
        self._chains: dict[FontRole, list[LoadedFont | str]] = {}
        for role in FontRole:
            chain: list[LoadedFont | str] = [resolution.fonts[role]]
            for other in _FALLBACK_ORDER[role]:
                font = resolution.fonts[other]
                if font not in chain:
                    chain.append(font)
            # The bundled fonts last, the role's own weight first; loaded only when a character needs them.
            mine = _BUNDLED_FOR_ROLE[role]
            chain.extend([mine, BUNDLED_BOLD if mine == BUNDLED_REGULAR else BUNDLED_REGULAR])
            self._chains[role] = chain
        self._runs: dict[tuple[str, FontRole], list[tuple[LoadedFont, str]]] = {}
        self.missing: dict[str, None] = {}  # ordered set
        self.used: dict[str, LoadedFont] = {}

    def font(self, role: FontRole) -> LoadedFont:
        return self.resolution.fonts[role]

    def _chain_font(self, role: FontRole, position: int) -> LoadedFont:
        entry = self._chains[role][position]
        if isinstance(entry, str):
            entry = bundled_font(entry)
            self._chains[role][position] = entry
        return entry

    def runs(self, text: str, role: FontRole) -> list[tuple[LoadedFont, str]]:
        """``text`` as (font, substring) runs; every character in a font that has it where one exists."""
        key = (text, role)
        cached = self._runs.get(key)
        if cached is not None:
            return cached
        primary = self.resolution.fonts[role]
        cmap = primary.cmap
        if all(ord(c) in cmap for c in text):
            result = [(primary, text)] if text else []
        else:
            result = self._split(text, role)
        for font, _ in result:
            self.used.setdefault(font.name, font)
        if len(self._runs) < 50_000:
            self._runs[key] = result
        return result

    def _split(self, text: str, role: FontRole) -> list[tuple[LoadedFont, str]]:
        primary = self.resolution.fonts[role]
        result: list[tuple[LoadedFont, str]] = []
        current: LoadedFont | None = None
        buffer: list[str] = []
        for typed in text:
            char = typed
            chosen = self._font_for(role, char)
            if chosen is None and not char.isspace():
                # No font has it: leave a blank the size of a character, to be written in by hand.
                self.missing.setdefault(char, None)
                char = BLANK
                chosen = self._font_for(role, char)
            if chosen is None:
                chosen = current or primary
            if chosen is not current and buffer:
                assert current is not None
                result.append((current, "".join(buffer)))
                buffer = []
            current = chosen
            buffer.append(char)
        if buffer and current is not None:
            result.append((current, "".join(buffer)))
        return result

    def _font_for(self, role: FontRole, char: str) -> LoadedFont | None:
        code = ord(char)
        for position in range(len(self._chains[role])):
            font = self._chain_font(role, position)
            if code in font.cmap:
                return font
        return None

    def width(self, text: str, role: FontRole, size: float) -> float:
        return sum(font.width(part, size) for font, part in self.runs(text, role))

    def warnings(self) -> list[str]:
        """Font choices that could not be honoured, then each missing character once."""
        return [*self.resolution.warnings, *(missing_character_warning(c) for c in self.missing)]


def clear_caches() -> None:
    """Forget discovered system fonts (e.g. after the clerk installed a font). Registrations stay."""
    system_fonts.cache_clear()
    with _lock:
        for key in [k for k, v in _loaded.items() if v is None]:
            del _loaded[key]
