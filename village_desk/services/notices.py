"""公示公告 use cases: drafts, preview, issue, posting, corrections, feedback, the archive.

Reading needs 查看; writing notices needs 发布公示 (文书); the engine's
settings need 修改本村信息和设置 (管理员); objections may also be logged by
the 村务监督委员会 (记录监督意见). Printing with full personal values
(内部资料) needs 发布公示 and is audited every time.

Issuing happens in one transaction: the number is taken under a row lock,
the PDF is rendered with that number, stored with its SHA-256, and the notice
is frozen. If anything fails, nothing is kept and the number is not used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from village_desk.accounts import Access, Permission
from village_desk.audit import AuditAction, FieldChange
from village_desk.errors import AccessDeniedError, ValidationError
from village_desk.notices import (
    DisclosureDue,
    Notice,
    NoticeCategory,
    NoticeFeedback,
    NoticeFilter,
    NoticeId,
    NoticeKind,
    NoticePhoto,
    NoticePhotoId,
    NoticeRenderer,
    NoticeSettings,
    NoticeStatus,
    NoticeSummary,
    RenderedNotice,
    archive_file_name,
    cancelled,
    correction_draft,
    disclosure_status,
    ensure_editable,
    feedback_problems,
    format_number,
    issued,
    notice_problems,
    period_end_for,
    period_length,
    posted,
    settings_problems,
    taken_down,
)
from village_desk.storage import Storage
from village_desk.village import VillageProfile

Clock = Callable[[], dt.datetime]
# Writes the archive's index (目录.xlsx) of the given notices; db.spreadsheets provides it.
IndexWriter = Callable[[Path, Sequence[Notice]], None]
# Joins PDFs into one, pages unchanged; printing.archive provides it.
PdfCombiner = Callable[[Sequence[bytes]], bytes]
RECORD_TYPE = "公示公告"
MAX_PHOTO_BYTES = 20 * 1024 * 1024


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class NoticeService:
    def __init__(
        self,
        storage: Storage,
        access: Access,
        renderer: NoticeRenderer | None = None,
        clock: Clock = dt.datetime.now,
        *,
        index_writer: IndexWriter | None = None,
        combiner: PdfCombiner | None = None,
    ) -> None:
        self._storage = storage
        self._access = access
        self._renderer = renderer
        self._clock = clock
        self._index_writer = index_writer
        self._combiner = combiner

    # --- settings --------------------------------------------------------------------------------
    def settings(self) -> NoticeSettings:
        with self._storage.transaction() as tx:
            return tx.get_notice_settings()

    def save_settings(self, settings: NoticeSettings) -> NoticeSettings:
        actor = self._access.require(Permission.EDIT_SETTINGS)
        errors = settings_problems(settings)
        if errors:
            raise ValidationError(errors)
        with self._storage.transaction(actor) as tx:
            return tx.save_notice_settings(settings)

    # --- reading ---------------------------------------------------------------------------------
    def notices(self, query: NoticeFilter | None = None) -> list[NoticeSummary]:
        self._access.require(Permission.VIEW)
        with self._storage.transaction() as tx:
            return tx.list_notices(query or NoticeFilter())

    def notice(self, notice_id: NoticeId) -> Notice:
        self._access.require(Permission.VIEW)
        with self._storage.transaction() as tx:
            return tx.get_notice(notice_id)

    def disclosure(self, today: dt.date | None = None) -> list[DisclosureDue]:
        """Per category: this period's disclosure done, due or overdue (for the home page)."""
        self._access.require(Permission.VIEW)
        with self._storage.transaction() as tx:
            dates = tx.notice_issue_dates()
            since = tx.first_notice_date()
            settings = tx.get_notice_settings()
        return disclosure_status(dates, settings, today or self._clock().date(), since)

    # --- drafts ----------------------------------------------------------------------------------
    def new_draft(
        self,
        category: NoticeCategory,
        kind: NoticeKind,
        title: str = "",
        *,
        period_rule: str = "",
        start: dt.date | None = None,
    ) -> Notice:
        """An unsaved draft with the office's defaults: issuer, objection text, today's date,
        and for a 公示 the period from ``period_rule`` (一般公示 when empty)."""
        self._access.require(Permission.VIEW)
        with self._storage.transaction() as tx:
            settings = tx.get_notice_settings()
            profile = tx.get_profile()
        today = start or self._clock().date()
        draft = Notice(
            id=None,
            category=category,
            kind=kind,
            title=title,
            issuer=_issuer(profile, category),
            objection=settings.objection if kind is NoticeKind.PUBLICITY else "",
        )
        if kind is NoticeKind.PUBLICITY:
            rule = settings.period_rule(period_rule)
            draft = replace(
                draft,
                period_rule=rule.name,
                period_start=today,
                period_end=period_end_for(today, rule.days, rule.unit, settings.calendar()),
                period_unit=rule.unit,
            )
        return draft

    def save_draft(self, notice: Notice) -> Notice:
        """Insert or update a draft. Incomplete drafts are kept; ``issue`` checks completeness."""
        actor = self._access.require(Permission.ISSUE_NOTICES)
        if not notice.title.strip():
            raise ValidationError.single("title", "请先填写标题再保存草稿。")
        with self._storage.transaction(actor) as tx:
            if notice.id is not None:
                ensure_editable(tx.get_notice(notice.id))
            ensure_editable(notice)
            return tx.save_notice(replace(notice, title=notice.title.strip()))

    def cancel_draft(self, notice_id: NoticeId, version: int, reason: str) -> Notice:
        actor = self._access.require(Permission.ISSUE_NOTICES)
        with self._storage.transaction(actor) as tx:
            current = tx.get_notice(notice_id)
            return tx.save_notice(cancelled(replace(current, version=version), reason))

    def start_correction(self, notice_id: NoticeId) -> Notice:
        """Save a draft that will supersede the issued notice ``notice_id`` once it is issued."""
        actor = self._access.require(Permission.ISSUE_NOTICES)
        with self._storage.transaction(actor) as tx:
            original = tx.get_notice(notice_id)
            draft = correction_draft(original)
            if draft.period_start is not None and draft.period_end is not None:
                # A correction runs its own period, as long as the original's, from today.
                calendar = tx.get_notice_settings().calendar()
                length = period_length(draft.period_start, draft.period_end, draft.period_unit, calendar)
                start = self._clock().date()
                end = period_end_for(start, max(length, 1), draft.period_unit, calendar)
                draft = replace(draft, period_start=start, period_end=end)
            return tx.save_notice(draft)

    # --- rendering -------------------------------------------------------------------------------
    def preview(self, notice: Notice, *, internal: bool = False) -> RenderedNotice:
        """The PDF as it would print now (nothing is saved). Issued notices: the frozen PDF."""
        self._access.require(Permission.VIEW)
        if notice.is_issued and notice.id is not None and not internal:
            # The frozen PDF; its page count and paper are the viewer's to read (not known here).
            return RenderedNotice(self.pdf(notice.id), 0, "")
        with self._storage.transaction() as tx:
            profile = tx.get_profile()
            settings = tx.get_notice_settings()
        return self._render(notice, profile, settings, internal=internal)

    def pdf(self, notice_id: NoticeId) -> bytes:
        """The issued PDF as stored (checked against its hash), or a draft rendered now."""
        self._access.require(Permission.VIEW)
        with self._storage.transaction() as tx:
            notice = tx.get_notice(notice_id)
            if notice.is_issued:
                data = tx.notice_pdf(notice_id)
                if data is None or sha256(data) != notice.pdf_sha256:
                    raise ValidationError.single(
                        "pdf",
                        f"“{notice.title}”（{notice.number}）存档的PDF与发布时记录的校验值不一致，"
                        "文件可能被改动过。请从备份恢复，或联系管理员检查。",
                    )
                return data
            profile = tx.get_profile()
            settings = tx.get_notice_settings()
        return self._render(notice, profile, settings).pdf

    def verify(self, notice_id: NoticeId) -> bool:
        """Does the stored PDF still match the SHA-256 recorded when it was issued?"""
        try:
            self.pdf(notice_id)
        except ValidationError:
            return False
        return True

    def internal_pdf(self, notice_id: NoticeId) -> bytes:
        """Full personal values, marked 内部资料; never for the board. Audited as a print."""
        actor = self._access.require(Permission.ISSUE_NOTICES)
        with self._storage.transaction(actor) as tx:
            notice = tx.get_notice(notice_id)
            rendered = self._render(notice, tx.get_profile(), tx.get_notice_settings(), internal=True)
            tx.record_event(
                AuditAction.PRINT,
                RECORD_TYPE,
                notice_id,
                f"{notice.title}（内部资料，含完整个人信息）",
            )
        return rendered.pdf

    def record_print(self, notice_ids: Sequence[NoticeId], copies: int = 1, to: str = "打印机") -> None:
        """Log that these notices were printed (or saved as PDF) for the board."""
        actor = self._access.require(Permission.PRINT)
        with self._storage.transaction(actor) as tx:
            for notice_id in notice_ids:
                notice = tx.get_notice(notice_id)
                tx.record_event(
                    AuditAction.PRINT,
                    RECORD_TYPE,
                    notice_id,
                    f"{notice.number or '草稿'} {notice.title}，{copies}份，{to}",
                )

    def _render(
        self,
        notice: Notice,
        profile: VillageProfile | None,
        settings: NoticeSettings,
        *,
        internal: bool = False,
    ) -> RenderedNotice:
        if self._renderer is None:
            raise RuntimeError("NoticeService has no renderer: wire printing.notices.render_notice")
        village = profile if profile is not None else VillageProfile(name="")
        return self._renderer(notice, village, settings, internal=internal)

    # --- issuing and the lifecycle ---------------------------------------------------------------------
    def issue(self, notice_id: NoticeId, version: int) -> Notice:
        """Number it, freeze its PDF with the hash, and supersede the notice it corrects."""
        actor = self._access.require(Permission.ISSUE_NOTICES)
        now = self._clock()
        with self._storage.transaction(actor) as tx:
            notice = replace(tx.get_notice(notice_id), version=version)
            ensure_editable(notice)
            errors = notice_problems(notice)
            if errors:
                raise ValidationError(errors)
            settings = tx.get_notice_settings()
            year = (notice.issue_date or now.date()).year
            seq = tx.next_notice_seq(notice.category, year)
            number = format_number(
                settings.number_format(notice.category), notice.category, notice.kind, year, seq
            )
            # Rendered as issued (status, number, date), not as the draft it still is: the
            # renderer marks drafts 草稿 and leaves their number blank.
            numbered = issued(
                notice, number=number, year=year, seq=seq, at=now, by=actor.display_name, pdf_sha256=""
            )
            rendered = self._render(numbered, tx.get_profile(), settings)
            frozen = replace(numbered, pdf_sha256=sha256(rendered.pdf))
            saved = tx.save_notice(frozen)
            assert saved.id is not None
            tx.store_notice_pdf(saved.id, rendered.pdf)
            tx.record_event(
                AuditAction.ISSUE,
                RECORD_TYPE,
                saved.id,
                f"{number} {saved.title}",
                (FieldChange("pdf_sha256", "", saved.pdf_sha256),),
            )
            if notice.supersedes is not None:
                original = tx.get_notice(notice.supersedes)
                if original.superseded_by is not None:
                    raise ValidationError.single(
                        "supersedes", f"“{original.title}”已经被另一份公告更正过了，不能再更正一次。"
                    )
                tx.save_notice(replace(original, superseded_by=saved.id))
            return saved

    def record_posting(
        self,
        notice_id: NoticeId,
        version: int,
        on: dt.date,
        photos: Sequence[PhotoUpload] = (),
    ) -> Notice:
        """登记张贴, with the board photos, in one transaction: all of it is kept, or none."""
        actor = self._access.require(Permission.ISSUE_NOTICES)
        for photo in photos:
            _check_photo(photo)
        with self._storage.transaction(actor) as tx:
            current = replace(tx.get_notice(notice_id), version=version)
            saved = tx.save_notice(posted(current, on))
            for photo in photos:
                tx.add_notice_photo(_photo_record(notice_id, photo, actor.display_name), photo.data)
            return saved

    def take_down(self, notice_id: NoticeId, version: int, on: dt.date) -> Notice:
        actor = self._access.require(Permission.ISSUE_NOTICES)
        with self._storage.transaction(actor) as tx:
            current = replace(tx.get_notice(notice_id), version=version)
            return tx.save_notice(taken_down(current, on))

    # --- board photos ----------------------------------------------------------------------------------
    def photos(self, notice_id: NoticeId) -> list[NoticePhoto]:
        self._access.require(Permission.VIEW)
        with self._storage.transaction() as tx:
            return tx.list_notice_photos(notice_id)

    def photo_data(self, photo_id: NoticePhotoId) -> bytes:
        self._access.require(Permission.VIEW)
        with self._storage.transaction() as tx:
            return tx.notice_photo_data(photo_id)

    def add_photo(
        self,
        notice_id: NoticeId,
        filename: str,
        data: bytes,
        taken_on: dt.date | None = None,
        note: str = "",
    ) -> NoticePhoto:
        """A photo of the notice on the board: only for an issued notice."""
        return self.add_photos(notice_id, [PhotoUpload(filename, data, taken_on, note)])[0]

    def add_photos(self, notice_id: NoticeId, photos: Sequence[PhotoUpload]) -> list[NoticePhoto]:
        """Several board photos in one transaction: all of them are kept, or none."""
        actor = self._access.require(Permission.ISSUE_NOTICES)
        for photo in photos:
            _check_photo(photo)
        with self._storage.transaction(actor) as tx:
            notice = tx.get_notice(notice_id)
            if not notice.is_issued:
                raise ValidationError.single("photo", "只有已发布的公示才能添加张贴照片。")
            return [
                tx.add_notice_photo(_photo_record(notice_id, photo, actor.display_name), photo.data)
                for photo in photos
            ]

    # --- objections and enquiries ----------------------------------------------------------------------
    def feedback(self, notice_id: NoticeId) -> list[NoticeFeedback]:
        self._access.require(Permission.VIEW)
        with self._storage.transaction() as tx:
            return tx.list_notice_feedback(notice_id)

    def save_feedback(self, feedback: NoticeFeedback) -> NoticeFeedback:
        actor = self._access.require(Permission.VIEW)
        if not (actor.can(Permission.ISSUE_NOTICES) or actor.can(Permission.RECORD_SUPERVISION)):
            raise AccessDeniedError(
                f"您的账号（{actor.display_name}）不能登记异议和答复：需要“发布公示”或“记录监督意见”的权限。"
            )
        errors = feedback_problems(feedback)
        if errors:
            raise ValidationError(errors)
        feedback = replace(
            feedback,
            from_whom=feedback.from_whom.strip(),
            content=feedback.content.strip(),
            answer=feedback.answer.strip(),
            answered_by=feedback.answered_by.strip()
            or (actor.display_name if feedback.answer.strip() else ""),
        )
        with self._storage.transaction(actor) as tx:
            notice = tx.get_notice(feedback.notice_id)
            if not notice.is_issued:
                raise ValidationError.single("notice", "草稿还没有发布，不能登记异议。")
            return tx.save_notice_feedback(feedback)

    # --- the archive ---------------------------------------------------------------------------------
    def archive(self, year: int) -> list[tuple[Notice, bytes]]:
        """Every notice issued in ``year`` with its stored PDF (hash-checked), by category and number."""
        actor = self._access.require(Permission.EXPORT)
        with self._storage.transaction(actor) as tx:
            summaries = tx.list_notices(NoticeFilter(year=year))
            result: list[tuple[Notice, bytes]] = []
            for summary in summaries:
                if summary.status in (NoticeStatus.DRAFT, NoticeStatus.CANCELLED):
                    continue
                notice = tx.get_notice(summary.id)
                data = tx.notice_pdf(summary.id)
                if data is None or sha256(data) != notice.pdf_sha256:
                    raise ValidationError.single(
                        "pdf",
                        f"“{notice.title}”（{notice.number}）存档的PDF与校验值不一致，导出已停止。请从备份恢复。",
                    )
                result.append((notice, data))
            tx.record_event(AuditAction.EXPORT, RECORD_TYPE, None, f"{year}年公示公告档案，{len(result)}份")
        order = list(NoticeCategory)
        result.sort(key=lambda item: (order.index(item[0].category), item[0].seq or 0))
        return result

    def export_archive(self, year: int, folder: Path, *, combined: bool = False) -> list[Path]:
        """Write a year's issued notices into ``folder``: one PDF each (named by number and title)
        and an index 目录.xlsx; with ``combined`` one PDF of all of them instead of the separate files.
        Returns the files written. Existing files of the same name are not overwritten."""
        items = self.archive(year)
        if not items:
            raise ValidationError.single("year", f"{year}年没有已发布的公示公告，没有可导出的内容。")
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        if combined:
            if self._combiner is None:
                raise RuntimeError("NoticeService has no PDF combiner: wire printing.archive.combine_pdfs")
            target = _free_path(folder / f"{year}年公示公告档案.pdf")
            target.write_bytes(self._combiner([data for _, data in items]))
            written.append(target)
        else:
            for notice, data in items:
                target = _free_path(folder / archive_file_name(notice))
                target.write_bytes(data)
                written.append(target)
        if self._index_writer is not None:
            index = _free_path(folder / f"{year}年公示公告目录.xlsx")
            self._index_writer(index, [notice for notice, _ in items])
            written.append(index)
        return written


def _free_path(path: Path) -> Path:
    """``path``, or ``name(2).ext``… when it exists: an export never overwrites a file."""
    candidate = path
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}({n}){path.suffix}")
        n += 1
    return candidate


@dataclass(frozen=True)
class PhotoUpload:
    """A photo file as read from disk, before it is stored."""

    filename: str
    data: bytes
    taken_on: dt.date | None = None
    note: str = ""


def _check_photo(photo: PhotoUpload) -> None:
    if not photo.data:
        raise ValidationError.single("photo", f"照片“{photo.filename}”是空文件，请重新选择。")
    if len(photo.data) > MAX_PHOTO_BYTES:
        raise ValidationError.single("photo", f"照片“{photo.filename}”太大（超过20MB），请先缩小或换一张。")


def _photo_record(notice_id: NoticeId, photo: PhotoUpload, added_by: str) -> NoticePhoto:
    return NoticePhoto(
        id=None,
        notice_id=notice_id,
        filename=photo.filename,
        taken_on=photo.taken_on,
        note=photo.note.strip(),
        added_by=added_by,
        size=len(photo.data),
    )


def _issuer(profile: VillageProfile | None, category: NoticeCategory) -> str:
    if profile is None or not profile.name:
        return ""
    seals = profile.with_default_seals()
    if category is NoticeCategory.PARTY:
        return seals.seal_party
    return seals.seal_committee
