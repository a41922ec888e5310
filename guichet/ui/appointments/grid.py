"""The agenda as a grid: a day (a column per kind of appointment, a row per step of time, a slot spanning its
rows) or a week (a column per day, a row per half hour, what is booked and what is left)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from guichet.services.appointment_types import AgendaDay, AgendaInfo, AppointmentRow, Slot, Standing
from guichet.services.clock import PARIS
from guichet.ui.desk.privacy import initials_of

FREE = QColor("#e8f5e9")
PART = QColor("#fff8e1")
FULL = QColor("#e3f2fd")
PAST = QColor("#f3f4f6")
CLOSED = QColor("#eceff1")
RED = QColor("#b71c1c")
GREEN = QColor("#1b5e20")
GREY = QColor("#57606a")
MARKS = {Standing.CHECKED_IN: "✓ ", Standing.LATE: "⚠ ", Standing.MISSED: "✗ ", Standing.EXPECTED: ""}
DAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
WEEK_STEP_MIN = 30


def hhmm(moment: datetime) -> str:
    return f"{moment.astimezone(PARIS):%H:%M}"


def who(row: AppointmentRow, discreet: bool) -> str:
    name = initials_of(row.citizen_name) if discreet else row.citizen_name
    return f"{MARKS.get(row.standing, '')}{name}"


def _minutes(moment: datetime, day: date) -> int:
    local = moment.astimezone(PARIS)
    return (local.date() - day).days * 1440 + local.hour * 60 + local.minute


class AgendaGrid(QTableWidget):
    """``slot_chosen(kind_id, Slot)``: Entrée or a double click on a free slot (to book it);
    ``slot_opened(list[AppointmentRow], str)``: on a booked one (its appointments, a title)."""

    slot_chosen = Signal(object, object)
    slot_opened = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(True)
        self.verticalHeader().setDefaultSectionSize(22)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.itemActivated.connect(self._activated)
        self.discreet = False
        self._bold = QFont()
        self._bold.setBold(True)

    # -- a day ----------------------------------------------------------------------------------------------

    def show_day(self, agenda: AgendaInfo, day: AgendaDay, now: datetime) -> None:
        self.clearSpans()
        self.clear()
        kinds = [k for k in agenda.kinds if day.slots.get(k.id)]
        if day.closed_reason or not kinds:
            self._closed(day.closed_reason or "Pas de créneau ce jour-là", [day.day])
            return
        step = max(5, math.gcd(*[k.duration_min for k in kinds]))
        starts = [_minutes(x.start, day.day) for k in kinds for x in day.slots[k.id]]
        ends = [_minutes(x.end, day.day) for k in kinds for x in day.slots[k.id]]
        first, last = min(starts), max(ends)
        rows = math.ceil((last - first) / step)
        self.setRowCount(rows)
        self.setColumnCount(len(kinds))
        self.setHorizontalHeaderLabels([k.name for k in kinds])
        for column, kind in enumerate(kinds):
            self.horizontalHeaderItem(column).setToolTip(kind.label)
        self.setVerticalHeaderLabels([f"{(first + i * step) // 60:02d}:{(first + i * step) % 60:02d}"
                                      for i in range(rows)])  # fmt: skip
        booked: dict[tuple[object, datetime], list[AppointmentRow]] = {}
        for a in day.appointments:
            if a.standing is not Standing.CANCELLED:
                booked.setdefault((a.kind_id, a.starts_at), []).append(a)
        for column, kind in enumerate(kinds):
            for slot in day.slots[kind.id]:
                row = (_minutes(slot.start, day.day) - first) // step
                span = max(1, kind.duration_min // step)
                people = booked.pop((kind.id, slot.start), [])
                item = self._slot_item(slot, people, now, kind.name)
                self.setItem(row, column, item)
                if span > 1:
                    self.setSpan(row, column, span, 1)
        # Appointments off the grid (booked before the hours or the length changed): the first row lists them.
        for (kind_id, _at), people in booked.items():
            column = next((i for i, k in enumerate(kinds) if k.id == kind_id), None)
            if column is not None and people:
                extra = QTableWidgetItem(" / ".join(f"{hhmm(p.starts_at)} {who(p, self.discreet)}" for p in people))
                extra.setData(Qt.ItemDataRole.UserRole, ("booked", people, "Hors grille"))
                extra.setForeground(RED)
                self.setItem(0, column, extra)
        self._scroll_to(now, day.day, first, step)

    def _slot_item(self, slot: Slot, people: list[AppointmentRow], now: datetime, kind_name: str) -> QTableWidgetItem:
        names = " / ".join(who(p, self.discreet) for p in people)
        past = slot.end <= now
        if people and slot.free > 0 and not past:
            text = f"{names}  (+{slot.free} libre{'s' if slot.free > 1 else ''})"
        elif people:
            text = names
        elif past:
            text = "—"
        else:
            text = "libre" if slot.capacity == 1 else f"{slot.free} places libres"
        item = QTableWidgetItem(f"{hhmm(slot.start)}  {text}")
        title = f"{kind_name} — {hhmm(slot.start)}"
        if people:
            item.setData(Qt.ItemDataRole.UserRole, ("booked", people, title))
        elif not past:
            item.setData(Qt.ItemDataRole.UserRole, ("free", slot, title))
        colour = PAST if past else FREE if not people else PART if slot.free > 0 else FULL
        item.setBackground(QBrush(colour))
        if any(p.standing is Standing.LATE for p in people):
            item.setForeground(RED)
        elif people and all(p.standing is Standing.CHECKED_IN for p in people):
            item.setForeground(GREEN)
        elif past:
            item.setForeground(GREY)
        item.setToolTip("\n".join([title] + [f"{who(p, self.discreet)} · {p.standing.label} · code {p.code}"
                                             for p in people]))  # fmt: skip
        return item

    # -- a week -------------------------------------------------------------------------------------------------

    def show_week(self, agenda: AgendaInfo, days: tuple[AgendaDay, ...], now: datetime) -> None:
        self.clearSpans()
        self.clear()
        open_days = [d for d in days if not d.closed_reason]
        all_slots = [(d, x) for d in open_days for found in d.slots.values() for x in found]
        self.setColumnCount(len(days))
        self.setHorizontalHeaderLabels([f"{DAYS[d.day.weekday()]} {d.day:%d/%m}" for d in days])
        if not all_slots:
            self._closed("Aucun créneau cette semaine", [d.day for d in days])
            return
        first = min(_minutes(x.start, d.day) for d, x in all_slots) // WEEK_STEP_MIN * WEEK_STEP_MIN
        last = max(_minutes(x.end, d.day) for d, x in all_slots)
        rows = math.ceil((last - first) / WEEK_STEP_MIN)
        self.setRowCount(rows)
        self.setVerticalHeaderLabels([f"{(first + i * WEEK_STEP_MIN) // 60:02d}:{(first + i * WEEK_STEP_MIN) % 60:02d}"
                                      for i in range(rows)])  # fmt: skip
        for column, d in enumerate(days):
            if d.closed_reason:
                item = QTableWidgetItem(d.closed_reason)
                item.setBackground(QBrush(CLOSED))
                item.setForeground(GREY)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.setItem(0, column, item)
                self.setSpan(0, column, rows, 1)
                continue
            for row in range(rows):
                lo = first + row * WEEK_STEP_MIN
                slots = [x for found in d.slots.values() for x in found
                         if lo <= _minutes(x.start, d.day) < lo + WEEK_STEP_MIN]  # fmt: skip
                people = [a for a in d.appointments if a.standing is not Standing.CANCELLED
                          and lo <= _minutes(a.starts_at, d.day) < lo + WEEK_STEP_MIN]  # fmt: skip
                if not slots and not people:
                    continue
                free = sum(x.free for x in slots if x.end > now)
                # "7/10": appointments taken of the half hour's places (its past places count as taken or lost).
                item = QTableWidgetItem(f"{len(people)}/{len(people) + free}" if free else f"{len(people)}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                title = f"{DAYS[d.day.weekday()]} {d.day:%d/%m} — {lo // 60:02d}:{lo % 60:02d}"
                past = all(x.end <= now for x in slots) if slots else True
                item.setBackground(QBrush(PAST if past else FREE if not people else PART if free else FULL))
                if any(p.standing is Standing.LATE for p in people):
                    item.setForeground(RED)
                item.setData(Qt.ItemDataRole.UserRole, ("week", d.day, people, title))
                head = f"{title} : {len(people)} rendez-vous, {free} place{'s' if free > 1 else ''} libre{'s' if free > 1 else ''}"
                item.setToolTip("\n".join([head] + [f"{hhmm(p.starts_at)} {p.kind_name} — {who(p, self.discreet)}"
                                                    for p in people]))  # fmt: skip
                self.setItem(row, column, item)

    # -- shared ---------------------------------------------------------------------------------------------

    def _closed(self, reason: str, days: list[date]) -> None:
        self.setRowCount(1)
        self.setColumnCount(max(1, self.columnCount()))
        self.setVerticalHeaderLabels([""])
        item = QTableWidgetItem(reason)
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        item.setForeground(GREY)
        item.setBackground(QBrush(CLOSED))
        self.setItem(0, 0, item)
        if self.columnCount() > 1:
            self.setSpan(0, 0, 1, self.columnCount())

    def _scroll_to(self, now: datetime, day: date, first: int, step: int) -> None:
        if now.astimezone(PARIS).date() != day:
            self.scrollToTop()
            return
        # The rows just before now at the top (the scroll bar moves by rows).
        self.verticalScrollBar().setValue(max(0, (_minutes(now, day) - first) // step - 2))

    def current_data(self) -> tuple | None:
        item = self.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _activated(self, item: QTableWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        if not data:
            return
        if data[0] == "free":
            kind_column = item.column()
            header = self.horizontalHeaderItem(kind_column)
            self.slot_chosen.emit(header.data(Qt.ItemDataRole.UserRole) if header else None, data[1])
        elif data[0] == "booked":
            self.slot_opened.emit(list(data[1]), data[2])
        elif data[0] == "week":
            self.slot_opened.emit(list(data[2]), data[3])

    def tag_kinds(self, agenda: AgendaInfo, day: AgendaDay) -> None:
        """Remember each column's kind on its header (for ``slot_chosen``)."""
        kinds = [k for k in agenda.kinds if day.slots.get(k.id)]
        for column, kind in enumerate(kinds):
            header = self.horizontalHeaderItem(column)
            if header is not None:
                header.setData(Qt.ItemDataRole.UserRole, kind.id)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
