"""A shared desk: lock (Ctrl+L, idle), unlock (password, PIN), switch of agents, discreet mode — with pytest-qt.

After a lock nothing of the agent's work is on screen; after a switch, nothing of the previous agent's form is
in any widget of the window shown, and it all comes back when the first agent takes the desk again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from sqlalchemy import select

from guichet.domain import AuditAction, Channel, Outcome
from guichet.models import AuditEntry
from guichet.services.contacts import ContactInput
from guichet.services.demo import DEMO_PASSWORD
from guichet.services.errors import ServiceError
from tests.ui.helpers import focused, press, screenshot_dir, type_keys, visible_texts

SUBJECT = "Dossier Zygomatique très confidentiel"
NOTES = "Garde alternée, adresse à ne pas communiquer"


def _leaks(root: QWidget, secrets: list[str]) -> list[str]:
    texts = visible_texts(root)
    return sorted({s for s in secrets for t in texts if s.lower() in t.lower()})


def _citizen(desk, last: str = "ZYGOMATIQUE", first: str = "Philibert", phone: str = "06 98 76 54 32"):  # noqa: ANN001
    return desk.services.citizens.create(last_name=last, first_names=first, phone=phone,
                                         email=f"{last.lower()}.contact@exemple.fr", address="12 impasse des Secrets")  # fmt: skip


def _log_contact(desk, citizen, subject: str) -> None:  # noqa: ANN001
    session = desk.window.session
    theme = next(t for t in desk.services.reference.load(commune_id=session.commune_id, site_id=session.site_id).themes
                 if t.parent_id is not None)  # fmt: skip
    desk.services.contacts.log(
        agent_id=session.agent_id, site_id=session.site_id,
        data=ContactInput(channel=Channel.IN_PERSON, theme_id=theme.id, outcome=Outcome.ANSWERED,
                          citizen_id=citizen.id, subject=subject),
    )  # fmt: skip


def _fill_draft(qtbot, window, citizen_words: str, subject: str, notes: str = "") -> None:  # noqa: ANN001
    form = window.form
    form.citizen_search.setFocus()
    type_keys(qtbot, citizen_words)
    qtbot.waitUntil(form.citizen_search.suggestions_visible, timeout=5_000)
    press(qtbot, Qt.Key.Key_Return)
    assert form.citizen_search.value is not None
    form.subject.setFocus()
    type_keys(qtbot, subject)
    if notes:
        form.notes.setFocus()
        type_keys(qtbot, notes)


def _lock(qtbot, window) -> None:  # noqa: ANN001
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.lock.locked
    assert focused() is window.lock.screen.secret


def _type_secret(qtbot, window, secret: str) -> None:  # noqa: ANN001
    screen = window.lock.screen
    screen.secret.setFocus()
    type_keys(qtbot, secret)
    press(qtbot, Qt.Key.Key_Return)


def _audit(desk, action: AuditAction) -> list[AuditEntry]:  # noqa: ANN001
    with desk.db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.at)))


def test_ctrl_l_hides_everything_and_a_wrong_password_is_refused(qtbot, desk):
    window = desk.window
    citizen = _citizen(desk)
    _log_contact(desk, citizen, "Visite du journal, privée")
    window.journal.refresh()
    qtbot.waitUntil(
        lambda: any(r.subject == "Visite du journal, privée" for r in window.journal.model.rows), timeout=5_000
    )
    _fill_draft(qtbot, window, "zygomat", SUBJECT, NOTES)
    secrets = ["ZYGOMATIQUE", "Philibert", "98 76 54 32", "impasse des Secrets", SUBJECT, NOTES[:20],
               "Visite du journal, privée"]  # fmt: skip
    assert _leaks(window, secrets) == sorted(secrets)  # on screen before the lock, of course

    _lock(qtbot, window)

    assert not window.pages.isVisible() and not window.statusBar().isVisible()
    assert _leaks(window, secrets) == []
    assert "Poste verrouillé par <b>Marie Durand</b>" in window.lock.screen.who_label.text()
    assert window.windowTitle() == "Guichet — Hôtel de ville — poste verrouillé"
    # The desk's keys do nothing while locked.
    assert window.form.channel is not None
    before = window.form.channel
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert window.form.channel is before

    _type_secret(qtbot, window, "pas le bon")
    qtbot.waitUntil(lambda: window.lock.screen.message.text() == "Mot de passe ou code PIN incorrect.", timeout=5_000)
    assert window.lock.locked and window.lock.screen.secret.text() == ""

    _type_secret(qtbot, window, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: not window.lock.locked, timeout=5_000)
    assert window.pages.isVisible() and window.statusBar().isVisible()
    assert window.form.subject.text() == SUBJECT and window.form.notes.toPlainText() == NOTES
    assert focused() is window.form.notes  # where the agent was typing
    assert [e.detail.rsplit(" — ", 1)[-1] for e in _audit(desk, AuditAction.LOCK)] == ["Ctrl+L"]
    assert len(_audit(desk, AuditAction.UNLOCK)) == 1
    assert len(_audit(desk, AuditAction.LOGIN_FAILED)) == 1


def test_unlock_with_a_pin(qtbot, desk):
    window = desk.window
    desk.services.accounts.set_pin(agent_id=window.session.agent_id, password=DEMO_PASSWORD, pin="4071")
    _lock(qtbot, window)
    _type_secret(qtbot, window, "4071")
    qtbot.waitUntil(lambda: not window.lock.locked, timeout=5_000)
    assert _audit(desk, AuditAction.UNLOCK)[-1].detail.endswith("par code PIN")


def test_the_desk_locks_itself_when_idle(qtbot, desk):
    window = desk.window
    assert desk.idle is not None and desk.idle.timeout_ms == 5 * 60_000  # [ui] lock_after_min by default
    desk.idle.set_timeout_ms(200)
    qtbot.keyClick(window.form.subject, Qt.Key.Key_A)  # activity: the count starts again
    assert not window.lock.locked
    qtbot.waitUntil(lambda: window.lock.locked, timeout=5_000)
    assert "inactivité" in window.lock.screen.since_label.text()
    assert not window.pages.isVisible()
    desk.idle.set_timeout_ms(0)


def test_dialogs_and_errors_never_show_over_the_lock_screen(qtbot, desk):
    window = desk.window
    form = window.form
    form.citizen_search.setFocus()
    type_keys(qtbot, "Zygomatique Philibert")
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = form.citizen_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # from the window: the dialog is modal
    window.lock.lock("Ctrl+L")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2_000)
    # An error of a late answer waits for the agent, and something trying to pop up is hidden again.
    desk.worker.unhandled_error.emit(ServiceError("Le serveur a répondu en retard."))
    form.create_citizen()
    qtbot.wait(50)
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [window]
    assert _leaks(window, ["ZYGOMATIQUE", "Philibert", "en retard"]) == []

    _type_secret(qtbot, window, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: not window.lock.locked, timeout=5_000)
    qtbot.waitUntil(dialog.isVisible, timeout=2_000)
    assert dialog.last_name.text() == "ZYGOMATIQUE"  # the agent's half-typed record is back
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert any("en retard" in b.text() for b in boxes)


def test_switch_shows_a_clean_desk_and_the_first_agent_gets_their_draft_back(qtbot, desk):
    marie = desk.window
    _citizen(desk)
    _citizen(desk, last="QUETZALCOATL", first="Bérénice", phone="07 11 22 33 44")
    _fill_draft(qtbot, marie, "zygomat", SUBJECT, NOTES)
    marie_secrets = ["ZYGOMATIQUE", "Philibert", "98 76 54 32", "impasse des Secrets", SUBJECT, NOTES[:20]]
    _lock(qtbot, marie)
    screen = marie.lock.screen
    qtbot.mouseClick(screen.switch_button, Qt.MouseButton.LeftButton)
    assert focused() is screen.login_edit
    type_keys(qtbot, "kbenali")
    press(qtbot, Qt.Key.Key_Return)
    type_keys(qtbot, DEMO_PASSWORD)
    with qtbot.waitSignal(desk.window_opened, timeout=10_000):
        press(qtbot, Qt.Key.Key_Return)
    karim = desk.window
    qtbot.addWidget(karim)
    qtbot.waitUntil(lambda: karim.journal.journal is not None, timeout=10_000)

    assert karim is not marie and karim.session.login == "kbenali"
    assert karim.isVisible() and not marie.isVisible() and marie.lock.locked
    assert karim.agent_label.text().startswith("Karim Benali")
    form = karim.form
    assert (form.subject.text(), form.notes.toPlainText(), form.citizen_search.text()) == ("", "", "")
    assert _leaks(karim, marie_secrets) == []
    assert screen.login_edit.text() == "" and screen.password_edit.text() == ""  # Karim's password is not kept
    [switch] = _audit(desk, AuditAction.SWITCH)
    assert (switch.agent_id, switch.subject_id) == (karim.session.agent_id, marie.session.agent_id)

    # Karim works, locks; Marie takes the desk back: her draft, none of his.
    _fill_draft(qtbot, karim, "quetzal", "Demande de Karim")
    _lock(qtbot, karim)
    karim.lock.screen.show_switch()
    type_keys(qtbot, "mdurand")
    press(qtbot, Qt.Key.Key_Return)
    type_keys(qtbot, DEMO_PASSWORD)
    with qtbot.waitSignal(desk.agent_switched, timeout=10_000):
        press(qtbot, Qt.Key.Key_Return)
    assert desk.window is marie and marie.isVisible() and not marie.lock.locked
    assert not karim.isVisible() and karim.lock.locked
    assert marie.form.subject.text() == SUBJECT and marie.form.notes.toPlainText() == NOTES
    assert "ZYGOMATIQUE" in marie.form.citizen_search.text()
    assert _leaks(marie, ["QUETZALCOATL", "Bérénice", "Demande de Karim"]) == []
    assert len(_audit(desk, AuditAction.SWITCH)) == 2


def test_the_counter_follows_the_agent_at_the_desk(qtbot, desk):
    marie = desk.window
    panel = marie.counter_panel
    queue = desk.services.queue
    qtbot.waitUntil(lambda: panel.panel is not None, timeout=5_000)
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.call_button.isEnabled(), timeout=5_000)
    status = queue.queue_statuses(site_id=marie.session.site_id)
    ticket = queue.issue_ticket(site_id=marie.session.site_id, queue_id=status[0].id)
    qtbot.keyClick(marie, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: panel.current is not None, timeout=5_000)
    _lock(qtbot, marie)
    marie.lock.screen.show_switch()
    type_keys(qtbot, "kbenali")
    press(qtbot, Qt.Key.Key_Return)
    type_keys(qtbot, DEMO_PASSWORD)
    with qtbot.waitSignal(desk.window_opened, timeout=10_000):
        press(qtbot, Qt.Key.Key_Return)
    karim = desk.window
    qtbot.addWidget(karim)
    his = karim.counter_panel
    qtbot.waitUntil(lambda: his.panel is not None and his.panel.counter.is_open, timeout=5_000)
    assert his.panel.counter.agent_id == karim.session.agent_id and his.counter_id == panel.counter_id
    assert [t.number for t in his.panel.parked] == [ticket.number]
    assert "passe à votre nom" in karim.statusBar().currentMessage()
    assert "mis de côté" in karim.statusBar().currentMessage()


def test_a_disabled_agent_cannot_unlock(qtbot, desk, login_as):
    window = desk.window
    admin = desk.services.auth.login(login="admin", password=DEMO_PASSWORD)
    _lock(qtbot, window)
    desk.services.accounts.set_active(admin_id=admin.agent_id, agent_id=window.session.agent_id, active=False)
    _type_secret(qtbot, window, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: "désactivé" in window.lock.screen.message.text(), timeout=5_000)
    assert window.lock.locked


def test_discreet_mode_shows_initials_in_the_form_and_the_journal(qtbot, desk, tmp_path):
    window = desk.window
    _citizen(desk)
    other = _citizen(desk, last="QUETZALCOATL", first="Bérénice", phone="07 11 22 33 44")
    _log_contact(desk, other, "Inscription sur les listes électorales")
    window.journal.refresh()
    qtbot.waitUntil(lambda: any(r.citizen_name for r in window.journal.model.rows), timeout=5_000)
    _fill_draft(qtbot, window, "zygomat", "Renouvellement de passeport")
    names = sorted({r.citizen_name for r in window.journal.model.rows if r.citizen_name})
    out = screenshot_dir(tmp_path)
    window.resize(1366, 768)
    window.show()
    qtbot.wait(50)
    assert window.grab().save(str(out / "desk_before_discreet_1366x768.png"))

    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

    assert window.discreet and window.discreet_label.isVisible()
    assert window.form.citizen_search.text() == "P. Z."
    assert "P. Z." in window.form.citizen_chip.text()
    assert _leaks(window, ["ZYGOMATIQUE", "Philibert", "98 76 54 32", "impasse des Secrets"]) == []
    shown = {window.journal.model.data(window.journal.model.index(i, 2)) for i in range(len(window.journal.model.rows))}
    assert shown <= {"Anonyme"} | {s for s in shown if len(s) <= 5 and s.endswith(".")}
    last_names = [n.split()[1] for n in names if len(n.split()) > 1]
    assert last_names and _leaks(window, last_names) == []
    qtbot.wait(50)
    assert window.grab().save(str(out / "desk_discreet_1366x768.png"))
    # Opening the record was noted once, whatever it is displayed as.
    viewed = _audit(desk, AuditAction.RECORD_VIEWED)
    assert [e.subject_id for e in viewed] == [window.form.citizen_search.value.id]

    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not window.discreet and not window.discreet_label.isVisible()
    assert window.form.citizen_search.text() == "ZYGOMATIQUE Philibert"
    assert len(_audit(desk, AuditAction.RECORD_VIEWED)) == 1


def test_render_of_the_lock_screen(qtbot, desk, tmp_path):
    window = desk.window
    out = screenshot_dir(tmp_path)
    _lock(qtbot, window)
    for width, height in ((1366, 768), (1920, 1080)):
        window.resize(width, height)
        qtbot.waitUntil(lambda w=width: window.width() == w, timeout=2_000)
        qtbot.wait(50)
        assert window.grab().save(str(out / f"lock_screen_{width}x{height}.png"))
    window.lock.screen.show_switch()
    _type_secret(qtbot, window, "faux")
    qtbot.waitUntil(lambda: window.lock.screen.message.text() != "Vérification…", timeout=5_000)
    window.lock.screen.show_switch()
    qtbot.wait(50)
    assert window.grab().save(str(out / "lock_screen_switch_1920x1080.png"))


def test_an_administrator_disables_an_agent_and_an_agent_sets_a_pin_from_the_desk(qtbot, login_as, tmp_path):
    from guichet.ui.accounts.dialogs import AgentsDialog, PinDialog

    desk = login_as("admin")
    window = desk.window
    actions = {a.text().split("\t")[0]: a for a in window.account_button.menu().actions() if a.text()}
    assert "Comptes des agents…" in actions
    actions["Comptes des agents…"].trigger()
    dialog = window.account_dialog
    assert isinstance(dialog, AgentsDialog)
    qtbot.waitUntil(lambda: len(dialog.agents) == 4, timeout=5_000)
    row = next(i for i, a in enumerate(dialog.agents) if a.login == "kbenali")
    dialog.table.selectRow(row)
    assert dialog.toggle_button.text() == "Désactiver"
    qtbot.mouseClick(dialog.toggle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "désactivé" in dialog.message.text(), timeout=5_000)
    qtbot.waitUntil(lambda: dialog.toggle_button.text() == "Réactiver", timeout=5_000)
    assert dialog.table.item(row, 3).text() == "Désactivé"
    assert dialog.grab().save(str(screenshot_dir(tmp_path) / "agents_dialog.png"))
    dialog.table.selectRow(next(i for i, a in enumerate(dialog.agents) if a.login == "admin"))
    assert not dialog.toggle_button.isEnabled()  # not one's own account
    dialog.accept()
    assert len(_audit(desk, AuditAction.ACCOUNT_DISABLED)) == 1

    # An agent's own PIN: the password first, then the code twice.
    agent_menu = {a.text().split("\t")[0]: a for a in window.account_button.menu().actions() if a.text()}
    agent_menu["Mon code PIN sur ce poste…"].trigger()
    pin = window.account_dialog
    assert isinstance(pin, PinDialog)
    pin.password.setText(DEMO_PASSWORD)
    pin.pin.setText("1234")
    pin.confirm.setText("1234")
    pin.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "trop facile" in pin.message.text(), timeout=5_000)
    pin.pin.setText("4071")
    pin.confirm.setText("4071")
    with qtbot.waitSignal(pin.accepted, timeout=5_000):
        pin.buttons.accepted.emit()
    assert desk.services.accounts.has_pin(agent_id=window.session.agent_id)
