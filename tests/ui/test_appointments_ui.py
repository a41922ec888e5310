"""The « Rendez-vous » page, booking with one key from the contact form, check-in at the desk and at the kiosk
(by a typed or scanned code: the kiosk shows a number, a queue and a time, never a name). Renders at 1366x768.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from guichet.domain import AppointmentStatus, Channel, ConfirmationChannel
from guichet.models import Agent, Appointment, AppointmentAgenda, AppointmentKind, Citizen, Site
from guichet.services import Services
from guichet.services.appointment_checkin import CheckIn
from guichet.services.appointment_rules import closed_reason, new_code, qr_payload
from guichet.services.appointment_seed import seed_agendas
from guichet.services.appointment_views import agenda_hours
from guichet.services.clock import PARIS, local_day, now
from guichet.services.public import PublicQueue
from guichet.services.queue import QueueService
from guichet.services.queue_seed import seed_queues
from guichet.ui.common.style import apply_style
from guichet.ui.kiosk.window import KioskWindow
from guichet.ui.requests.common import find_data
from guichet.ui.worker import Worker
from tests.ui.helpers import focused, press, screenshot_dir, type_keys, visible_texts
from tests.ui.test_kiosk import WEDNESDAY, FakeClock


def _render(widget: QWidget, path, over: QWidget | None = None) -> None:
    QApplication.processEvents()
    image = widget.grab()
    if over is not None:
        painter = QPainter(image)
        painter.fillRect(image.rect(), QColor(0, 0, 0, 60))
        dialog = over.grab()
        painter.drawPixmap(QPoint((image.width() - dialog.width()) // 2, (image.height() - dialog.height()) // 4),
                           dialog)  # fmt: skip
        painter.end()
    assert image.save(str(path))


def _titles(db, code: str = "HDV") -> tuple[AppointmentAgenda, AppointmentKind]:
    with db.read() as s:
        agenda = s.scalars(
            select(AppointmentAgenda)
            .join(Site, Site.id == AppointmentAgenda.site_id)
            .where(Site.code == code, AppointmentAgenda.name.like("État civil%"))
        ).first()
        kind = s.scalars(
            select(AppointmentKind).where(AppointmentKind.agenda_id == agenda.id).order_by(AppointmentKind.sort_order)
        ).first()
    return agenda, kind


def _next_open_day(agenda: AppointmentAgenda):  # noqa: ANN202
    day = local_day(now()) + timedelta(days=1)
    while closed_reason(day, agenda_hours(agenda), ()):
        day += timedelta(days=1)
    return day


def _expected_today(db, *, minutes: int, last_name: str = "ZYGOMATIQUE", at: datetime | None = None) -> Appointment:
    """An appointment of today at HDV, ``minutes`` after ``at`` (now by default), written directly: the agenda may
    be closed right now."""
    agenda, kind = _titles(db)
    with db.write() as s:
        citizen = Citizen(last_name=last_name, first_names="Philibert", phone="+33698765432")
        s.add(citizen)
        s.flush()
        agent = s.scalars(select(Agent.id).where(Agent.login == "mdurand")).one()
        start = ((at or now()) + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
        row = Appointment(
            commune_id=agenda.commune_id, site_id=agenda.site_id, agenda_id=agenda.id, kind_id=kind.id,
            citizen_id=citizen.id, starts_at=start, ends_at=start + timedelta(minutes=kind.duration_min),
            code=new_code(), status=AppointmentStatus.BOOKED, channel=Channel.PHONE,
            confirmation=ConfirmationChannel.SMS, booked_at=now(), booked_by=agent,
        )  # fmt: skip
        s.add(row)
    return row


def test_the_page_shows_a_day_a_week_and_today(qtbot, login_as, tmp_path):
    desk = login_as("mdurand")
    window = desk.window
    window.resize(1366, 768)
    # The desk's appointments see 7 a.m. today, before the demo's first booking: "40 minutes ago" stays today
    # whenever the suite runs (just after midnight it would be yesterday). Through a hub (GUICHET_UI_VIA_HUB) the
    # services are remote: real time there.
    at = None
    if hasattr(desk.services.appointments, "_clock"):
        at = datetime.combine(local_day(now()), time(7), tzinfo=PARIS).astimezone(UTC)
        desk.services.appointments._clock = lambda: at
    _expected_today(desk.db, minutes=-40, last_name="RETARDATAIRE", at=at)  # 40 min ago: late
    _expected_today(desk.db, minutes=20, at=at)
    press(qtbot, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    page = window.appointments_page
    assert page is not None and window.pages.currentWidget() is window._appointments_tab
    qtbot.waitUntil(lambda: page.agenda.count() >= 5 and page.board is not None, timeout=10_000)
    assert page.agenda.itemText(page.agenda.count() - 1).endswith("Mairie annexe du Moulin-à-Vent")  # others last
    board = page.board
    assert [r.citizen_name for r in board.late] == ["RETARDATAIRE Philibert"]
    assert "1 en retard" in page.counts.text()
    agenda, _kind = _titles(desk.db)
    page.agenda.setCurrentIndex(find_data(page.agenda, agenda.id))
    page.show_day_of(_next_open_day(agenda))
    qtbot.waitUntil(lambda: page.grid.columnCount() == 2 and page.grid.rowCount() > 20, timeout=10_000)
    headers = [page.grid.horizontalHeaderItem(i).text() for i in range(2)]
    assert headers[0].startswith("Dépôt de passeport")
    assert "2 guichets" in page.grid.horizontalHeaderItem(0).toolTip()
    texts = [page.grid.item(r, 0).text() for r in range(page.grid.rowCount()) if page.grid.item(r, 0)]
    assert any("places libres" in t or "libre" in t for t in texts) and any("Mme" in t or "M." in t for t in texts)
    shots = screenshot_dir(tmp_path)
    _render(window, shots / "rendez_vous_jour.png")
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.grid.columnCount() == 6 and page.grid.rowCount() >= 16, timeout=10_000)
    assert page.date_label.text().startswith("Semaine du lundi")
    _render(window, shots / "rendez_vous_semaine.png")
    # Discreet mode: initials in the grid and the list.
    press(qtbot, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: page.discreet and "P. R." in " ".join(visible_texts(window)), timeout=10_000)
    assert "RETARDATAIRE" not in " ".join(visible_texts(window))


def test_ctrl_r_on_the_contact_form_books_the_first_slot_with_one_key(qtbot, login_as, tmp_path):
    desk = login_as("mdurand")
    window = desk.window
    window.resize(1366, 768)
    services = desk.services
    citizen = services.citizens.create(last_name="Benali", first_names="Aïcha", phone="06 11 22 33 44",
                                       email="aicha.benali@exemple.fr")  # fmt: skip
    window.form.set_citizen(citizen)
    press(qtbot, Qt.Key.Key_F2)  # téléphone
    window.form.citizen_search.setFocus()
    press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = window.booking_flow().dialog
    assert dialog is not None and dialog.isVisible() and dialog.citizen.id == citizen.id
    qtbot.waitUntil(lambda: len(dialog.slots) == 9, timeout=10_000)
    assert dialog.slot_list.item(0).text().startswith("1   ")
    assert dialog.confirmation.currentText() == "Canal préféré du citoyen : courriel"
    qtbot.waitUntil(lambda: focused() is dialog.slot_list, timeout=5_000)
    first = dialog.slots[0]
    shots = screenshot_dir(tmp_path)
    _render(window, shots / "rendez_vous_reservation.png", over=dialog)
    type_keys(qtbot, "1")
    qtbot.waitUntil(lambda: dialog.result_ is not None, timeout=10_000)
    result = dialog.result_
    assert result.appointment.starts_at == first.start and result.appointment.channel is Channel.PHONE
    assert dialog.done_code.text() == f"Code : {result.appointment.code}" and dialog.done_code.isVisible()
    _render(window, shots / "rendez_vous_reserve.png", over=dialog)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    (mine,) = services.appointments.for_citizen(citizen_id=citizen.id)
    assert mine.code == result.appointment.code
    qtbot.waitUntil(lambda: result.appointment.code in window.statusBar().currentMessage()
                    or "Confirmation" in window.statusBar().currentMessage(), timeout=10_000)  # fmt: skip


def test_check_in_at_the_desk_gives_the_ticket(qtbot, login_as):
    desk = login_as("mdurand")
    window = desk.window
    row = _expected_today(desk.db, minutes=10)
    page = window.show_appointments()
    qtbot.waitUntil(lambda: window.appointments_page is not None, timeout=5_000)
    page = window.appointments_page
    qtbot.waitUntil(lambda: page.board is not None and any(r.id == row.id for r in page.board.expected),
                    timeout=10_000)  # fmt: skip
    expected = page.list.topLevelItem(1)  # « Attendus »
    item = next(expected.child(i) for i in range(expected.childCount())
                if expected.child(i).data(0, Qt.ItemDataRole.UserRole).id == row.id)  # fmt: skip
    page.list.setCurrentItem(item)
    page.list.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(r.id == row.id for r in (page.board.checked_in if page.board else ())),
                    timeout=10_000)  # fmt: skip
    checked = next(r for r in page.board.checked_in if r.id == row.id)
    assert checked.ticket_number.startswith("A")
    assert f"ticket {checked.ticket_number}" in window.statusBar().currentMessage()


def test_the_kiosk_checks_in_a_scanned_code_and_shows_no_name(qtbot, qapp, demo_db, tmp_path):
    seed_queues(demo_db, open_all_day=True)
    seed_agendas(demo_db)
    clock = FakeClock(WEDNESDAY)  # Wednesday 11 March 2026, 10 h
    services = Services.on(demo_db)
    site = services.sites.find(code="HDV")
    agenda, kind = _titles(demo_db)
    citizen = services.citizens.create(last_name="ZYGOMATIQUE", first_names="Philibert", phone="06 98 76 54 32")
    from guichet.services.appointments import AppointmentService

    appointments = AppointmentService(demo_db, clock=lambda: clock.at - timedelta(days=1))
    agent = services.auth.login(login="mdurand", password="guichet2026").agent_id
    booked = appointments.book(agent_id=agent, site_id=site.id, kind_id=kind.id, citizen_id=citizen.id,
                               starts_at=datetime(2026, 3, 11, 10, 15, tzinfo=PARIS).astimezone(UTC),
                               confirmation=ConfirmationChannel.NONE).appointment  # fmt: skip
    apply_style(qapp)
    worker = Worker()
    public = PublicQueue(QueueService(demo_db, clock=clock), CheckIn(demo_db, clock=clock))
    kiosk = KioskWindow(worker, public, site, refresh_ms=200, confirm_ms=10_000, clock=clock)
    qtbot.addWidget(kiosk)
    kiosk.resize(1366, 768)
    kiosk.show()
    try:
        qtbot.waitUntil(lambda: len(kiosk.buttons) == 5, timeout=5_000)
        shots = screenshot_dir(tmp_path)
        assert kiosk.appointment_button.text() == "J'ai un rendez-vous"
        _render(kiosk, shots / "borne_accueil.png")
        qtbot.mouseClick(kiosk.appointment_button, Qt.MouseButton.LeftButton)
        assert kiosk.pages.currentWidget() is kiosk.code_page
        for ch in "K7M":
            qtbot.mouseClick(kiosk.code_page.keys[ch], Qt.MouseButton.LeftButton)
        assert kiosk.code_page.display.text() == "K 7 M _ _ _"
        _render(kiosk, shots / "borne_code_rendez_vous.png")
        qtbot.mouseClick(kiosk.code_page.back_button, Qt.MouseButton.LeftButton)
        assert kiosk.pages.currentWidget() is kiosk.home
        # The QR scanner: a keyboard that types the payload and Entrée, on the home page.
        qtbot.keyClicks(kiosk, qr_payload(booked.code))
        qtbot.keyClick(kiosk, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: kiosk.pages.currentWidget() is kiosk.confirm, timeout=5_000)
        assert kiosk.number_label.text() == kiosk.ticket.number and kiosk.ticket.number.startswith("A")
        assert kiosk.ahead_label.text() == "Rendez-vous de 10:15"
        assert "heure de votre rendez-vous" in kiosk.wait_label.text()
        texts = " ".join(visible_texts(kiosk))
        assert "ZYGOMATIQUE" not in texts and "Philibert" not in texts and "98 76" not in texts
        _render(kiosk, shots / "borne_rendez_vous_enregistre.png")
        kiosk.go_home()
        # An unknown code is refused, saying so and nothing else.
        qtbot.keyClicks(kiosk, "ABCDEF")
        qtbot.keyClick(kiosk, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "aucun rendez-vous" in kiosk.code_page.notice.text(), timeout=5_000)
        assert kiosk.pages.currentWidget() is kiosk.code_page
    finally:
        kiosk.stop()
        qtbot.waitUntil(lambda: worker.idle, timeout=5_000)
        worker.shutdown()
