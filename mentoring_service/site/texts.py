"""What the response site says, in English and German (Sie, as the emails write).

Plain text with ``{placeholders}``: the templates escape the result, so a name can
never become markup. ``Texts(language)("key", name=...)`` formats one of them.
"""

from __future__ import annotations

from mentoring.cohort import Language

EN: dict[str, str] = {
    "site": "Reverse mentoring",
    "hello": "Hello {name},",
    "send": "Send",
    "no_answer": "No answer",
    "session_with": "Session {number} of {total} with {partner}: {when}",
    "privacy": "This page keeps no cookies and runs no scripts.",
    # check-in
    "check_in_title": "How was your session?",
    "check_in_legend": "Did the session take place?",
    "met": "We met",
    "not_met": "We didn't meet",
    "new_date": "We need a new date",
    "slots_legend": "New date (only with “We need a new date”)",
    "slots_hint": "The next free dates on your rhythm, on your clock ({zone}). {partner} gets the updated invitation too.",
    "no_slots": "No free date is left before the program ends. Please write to the program office.",
    "slots_unknown": "We cannot show new dates right now. Please come back in a few minutes to choose one.",
    "degraded": "The service is catching up right now, so this page shows less than usual. You can still answer.",
    "degraded_reflection": (
        "The service is catching up right now: you can write your reflection, but it can only be sent in a few minutes."
    ),
    # reflection
    "reflection_title": "Your reflection",
    "reflection_intro": (
        "Your answers are yours. We email them to you as your journal entry, and to {partner} only if you tick "
        "“Share with my partner” below. The service does not keep your text, and the program office never sees it."
    ),
    "reflection_free": "Your reflection",
    "session_ratings_legend": "How much did this session help you? (optional; 1 = not at all, 5 = very much)",
    "share": "Share with my partner",
    "share_hint": "{partner} receives the same email.",
    # reviews
    "midpoint_title": "Midpoint review",
    "closing_title": "Closing review",
    "review_intro": (
        "A few questions about your reverse mentoring with {partner}. Every question is optional. "
        "The program office reads your answers; {partner} does not see them."
    ),
    "review_ratings_legend": "How much has the mentoring helped you so far? (1 = not at all, 5 = very much)",
    "career": "Career and development",
    "psychosocial": "Working relationship and role",
    "emotional": "How you feel in it",
    "focus_progress": "Progress on your focus, “{focus}” (1 = none, 5 = a lot)",
    "focus_progress_plain": "Progress on your focus (1 = none, 5 = a lot)",
    "recommend": "Would you recommend reverse mentoring to a colleague? (0 = not at all, 10 = definitely)",
    "keep_meeting": "Will the two of you keep meeting after the program?",
    "yes": "Yes",
    "maybe": "Maybe",
    "no": "No",
    "comment": "A comment to the program office (optional)",
    "comment_hint": "Only the program office reads this, not {partner}.",
    # after sending
    "thanks_title": "Thank you, {name}",
    "thanks_title_anonymous": "Thank you",
    "recorded_met": "We have noted that you met.",
    "recorded_not_met": "We have noted that the session did not take place.",
    "recorded_new_date": ("Your session moves to {when}. You and {partner} will receive updated calendar invitations."),
    "recorded_reflection": "Your journal entry is on its way to your inbox.",
    "recorded_reflection_shared": "Your journal entry is on its way to you and to {partner}.",
    "text_not_kept": "We did not keep your text.",
    "recorded_review": "Your review has reached the program office.",
    "later_title": "Received",
    "later": (
        "We have received your answer. It will be recorded as soon as the service catches up; you need not do anything."
    ),
    "later_new_date": "Updated calendar invitations will confirm your new date.",
    # pages that take no answer
    "already_title": "Already answered",
    "already": (
        "This was answered already, and the first answer counts. "
        "If something has changed, please write to the program office."
    ),
    "closed_title": "No answer needed",
    "closed_paused": "Your pair is paused at the moment, so sessions take no check-ins.",
    "closed_ended": "Your program has ended, so this session takes no more answers.",
    "closed_cancelled": "This session was cancelled.",
    "closed_not_yet": "This session is on {when}. Please come back after it.",
    "closed_not_yet_plain": "This session has not taken place yet. Please come back after it.",
    "closed_unknown": "We cannot find what this link is about. It may have been replaced by a newer email.",
    "finished_title": "The program has finished",
    "finished": "This program has finished. Thank you for taking part!",
    "unknown_title": "Unknown program",
    "unknown": "We do not know this program (any more). If you think this is wrong, please write to the program office.",
    "left_title": "Link for someone else",
    "left": "This link was for someone who has left the pair.",
    "expired_title": "Link expired",
    "expired": "This link has expired. If you still want to answer, please write to the program office.",
    "tampered_title": "Link not valid",
    "tampered": (
        "This link is not valid. Please use the link from your email exactly as it is; "
        "if you copied it, check that it is complete."
    ),
    "csrf_title": "Form not accepted",
    "csrf_bad": (
        "We could not accept this form, and nothing was recorded. "
        "Please open the link from your email again and send the form from there."
    ),
    "csrf_old": "This page was open for a long time, and nothing was recorded. Please open it again and resend your answer.",
    "open_again": "Open the form again",
    "refused_title": "Not recorded",
    "refused": "We could not record your answer: {reason}",
    "unavailable_title": "Please try again later",
    "unavailable": (
        "The service cannot be reached right now, so your answer was not recorded. Please try again in a few minutes."
    ),
    "journal_failed": (
        "We could not send your journal email, so nothing was recorded. "
        "Your text is still below; please try again in a few minutes."
    ),
    "journal_unknown": (
        "The service is catching up right now and cannot send your journal email, so nothing was recorded. "
        "Your text is still below; please try again in a few minutes."
    ),
    "not_found_title": "Page not found",
    "not_found": "There is no page here. Please use the link from your email.",
    "method_title": "Not possible",
    "method": "This page cannot be used that way.",
    "too_large_title": "Too long",
    "too_large": "Your answer is too long to send, and nothing was recorded. Please shorten it.",
    "error_title": "Something went wrong",
    "error": (
        "Something went wrong on our side. Please open the link from your email again: "
        "its page says whether your answer has arrived."
    ),
    # form errors
    "form_errors": "Please check the marked fields. Nothing has been recorded yet.",
    "err_choice": "Please choose one of the options.",
    "err_slot": "Please choose one of the new dates offered.",
    "err_range": "Please choose a value from {lo} to {hi}.",
    "err_too_long": "This is too long: {length} characters, at most {max}.",
    "err_control": "This contains a control character that cannot be sent. Please remove it.",
    "err_empty_reflection": "Please answer at least one question.",
    "err_empty_review": "Please answer at least one question.",
    # the journal email
    "journal_subject": "Your reflection on session {number} of {total}",
    "journal_subject_shared": "Reflection by {name} on session {number} of {total}",
    "journal_hello": "Hello {name},",
    "journal_hello_shared": "Hello {name} and {partner},",
    "journal_intro": "here is your reflection on session {number} of {total} ({when}), as you wrote it.",
    "journal_intro_shared": "here is {name}'s reflection on session {number} of {total} ({when}), as {name} wrote it.",
    "journal_shared": "{name} shared it with {partner}.",
    "journal_footer": (
        "This email is the only copy: the reverse mentoring service did not keep the text, "
        "and the program office never sees it."
    ),
}

DE: dict[str, str] = {
    "site": "Reverse Mentoring",
    "hello": "Guten Tag {name},",
    "send": "Absenden",
    "no_answer": "Keine Angabe",
    "session_with": "Termin {number} von {total} mit {partner}: {when}",
    "privacy": "Diese Seite setzt keine Cookies und führt keine Skripte aus.",
    "check_in_title": "Wie war Ihr Termin?",
    "check_in_legend": "Hat der Termin stattgefunden?",
    "met": "Wir haben uns getroffen",
    "not_met": "Wir haben uns nicht getroffen",
    "new_date": "Wir brauchen einen neuen Termin",
    "slots_legend": "Neuer Termin (nur bei „Wir brauchen einen neuen Termin“)",
    "slots_hint": (
        "Die nächsten freien Termine in Ihrem Rhythmus, in Ihrer Zeitzone ({zone}). "
        "{partner} erhält die aktualisierte Einladung ebenfalls."
    ),
    "no_slots": "Bis zum Programmende ist kein Termin mehr frei. Bitte wenden Sie sich an das Programmbüro.",
    "slots_unknown": (
        "Neue Termine können wir gerade nicht anzeigen. Bitte versuchen Sie es in ein paar Minuten noch einmal."
    ),
    "degraded": (
        "Der Dienst holt gerade Rückstände auf; diese Seite zeigt deshalb weniger als sonst. "
        "Antworten können Sie trotzdem."
    ),
    "degraded_reflection": (
        "Der Dienst holt gerade Rückstände auf: Sie können Ihre Reflexion schreiben, "
        "absenden lässt sie sich aber erst in ein paar Minuten."
    ),
    "reflection_title": "Ihre Reflexion",
    "reflection_intro": (
        "Ihre Antworten gehören Ihnen. Wir senden sie Ihnen per E-Mail als Eintrag für Ihr Journal – "
        "an {partner} nur dann, wenn Sie unten „Mit meinem Gegenüber teilen“ ankreuzen. "
        "Der Dienst speichert Ihren Text nicht, und das Programmbüro sieht ihn nie."
    ),
    "reflection_free": "Ihre Reflexion",
    "session_ratings_legend": "Wie sehr hat Ihnen dieser Termin geholfen? (freiwillig; 1 = gar nicht, 5 = sehr)",
    "share": "Mit meinem Gegenüber teilen",
    "share_hint": "{partner} erhält dieselbe E-Mail.",
    "midpoint_title": "Zwischenbilanz",
    "closing_title": "Abschlussbilanz",
    "review_intro": (
        "Ein paar Fragen zu Ihrem Reverse Mentoring mit {partner}. Alle Fragen sind freiwillig. "
        "Das Programmbüro liest Ihre Antworten; {partner} sieht sie nicht."
    ),
    "review_ratings_legend": "Wie sehr hat Ihnen das Mentoring bisher geholfen? (1 = gar nicht, 5 = sehr)",
    "career": "Berufliche Entwicklung",
    "psychosocial": "Zusammenarbeit und Rolle",
    "emotional": "Ihr Erleben",
    "focus_progress": "Fortschritt bei Ihrem Schwerpunkt „{focus}“ (1 = keiner, 5 = sehr viel)",
    "focus_progress_plain": "Fortschritt bei Ihrem Schwerpunkt (1 = keiner, 5 = sehr viel)",
    "recommend": (
        "Würden Sie Reverse Mentoring einer Kollegin oder einem Kollegen empfehlen? "
        "(0 = auf keinen Fall, 10 = auf jeden Fall)"
    ),
    "keep_meeting": "Werden Sie sich nach dem Programm weiter treffen?",
    "yes": "Ja",
    "maybe": "Vielleicht",
    "no": "Nein",
    "comment": "Ein Kommentar an das Programmbüro (freiwillig)",
    "comment_hint": "Nur das Programmbüro liest diesen Kommentar, nicht {partner}.",
    "thanks_title": "Vielen Dank, {name}",
    "thanks_title_anonymous": "Vielen Dank",
    "recorded_met": "Wir haben vermerkt, dass Sie sich getroffen haben.",
    "recorded_not_met": "Wir haben vermerkt, dass der Termin nicht stattgefunden hat.",
    "recorded_new_date": (
        "Ihr Termin wird auf {when} verschoben. Sie und {partner} erhalten aktualisierte Kalendereinladungen."
    ),
    "recorded_reflection": "Ihr Journal-Eintrag ist auf dem Weg in Ihr Postfach.",
    "recorded_reflection_shared": "Ihr Journal-Eintrag ist auf dem Weg zu Ihnen und zu {partner}.",
    "text_not_kept": "Ihren Text haben wir nicht gespeichert.",
    "recorded_review": "Ihre Bilanz ist beim Programmbüro angekommen.",
    "later_title": "Erhalten",
    "later": (
        "Wir haben Ihre Antwort erhalten. Sie wird erfasst, sobald der Dienst wieder nachgekommen ist; "
        "Sie müssen nichts weiter tun."
    ),
    "later_new_date": "Aktualisierte Kalendereinladungen bestätigen Ihnen den neuen Termin.",
    "already_title": "Bereits beantwortet",
    "already": (
        "Hierauf wurde bereits geantwortet, und die erste Antwort gilt. "
        "Falls sich etwas geändert hat, schreiben Sie bitte dem Programmbüro."
    ),
    "closed_title": "Keine Antwort nötig",
    "closed_paused": "Ihr Tandem pausiert gerade; deshalb nehmen wir zu Terminen keine Rückmeldungen entgegen.",
    "closed_ended": "Ihr Programm ist beendet; zu diesem Termin nehmen wir keine Antworten mehr entgegen.",
    "closed_cancelled": "Dieser Termin wurde abgesagt.",
    "closed_not_yet": "Dieser Termin ist am {when}. Bitte kommen Sie danach wieder.",
    "closed_not_yet_plain": "Dieser Termin hat noch nicht stattgefunden. Bitte kommen Sie danach wieder.",
    "closed_unknown": (
        "Wir können nicht zuordnen, worauf sich dieser Link bezieht. "
        "Vielleicht wurde er durch eine neuere E-Mail ersetzt."
    ),
    "finished_title": "Das Programm ist abgeschlossen",
    "finished": "Dieses Programm ist abgeschlossen. Vielen Dank für Ihre Teilnahme!",
    "unknown_title": "Unbekanntes Programm",
    "unknown": (
        "Dieses Programm ist uns nicht (mehr) bekannt. "
        "Wenn Sie das für einen Fehler halten, schreiben Sie bitte dem Programmbüro."
    ),
    "left_title": "Link für eine andere Person",
    "left": "Dieser Link war für eine Person bestimmt, die das Tandem verlassen hat.",
    "expired_title": "Link abgelaufen",
    "expired": "Dieser Link ist abgelaufen. Wenn Sie noch antworten möchten, schreiben Sie bitte dem Programmbüro.",
    "tampered_title": "Link ungültig",
    "tampered": (
        "Dieser Link ist ungültig. Bitte verwenden Sie den Link aus Ihrer E-Mail unverändert; "
        "wenn Sie ihn kopiert haben, prüfen Sie bitte, ob er vollständig ist."
    ),
    "csrf_title": "Formular nicht angenommen",
    "csrf_bad": (
        "Dieses Formular konnten wir nicht annehmen; es wurde nichts erfasst. "
        "Bitte öffnen Sie den Link aus Ihrer E-Mail erneut und senden Sie das Formular von dort ab."
    ),
    "csrf_old": (
        "Diese Seite war sehr lange geöffnet; es wurde nichts erfasst. "
        "Bitte öffnen Sie sie erneut und senden Sie Ihre Antwort noch einmal."
    ),
    "open_again": "Formular erneut öffnen",
    "refused_title": "Nicht erfasst",
    "refused": "Ihre Antwort konnten wir nicht erfassen: {reason}",
    "unavailable_title": "Bitte versuchen Sie es später noch einmal",
    "unavailable": (
        "Der Dienst ist gerade nicht erreichbar; Ihre Antwort wurde deshalb nicht erfasst. "
        "Bitte versuchen Sie es in ein paar Minuten noch einmal."
    ),
    "journal_failed": (
        "Ihren Journal-Eintrag konnten wir nicht per E-Mail versenden; es wurde deshalb nichts erfasst. "
        "Ihr Text steht weiter unten; bitte versuchen Sie es in ein paar Minuten noch einmal."
    ),
    "journal_unknown": (
        "Der Dienst holt gerade Rückstände auf und kann Ihren Journal-Eintrag nicht per E-Mail versenden; "
        "es wurde deshalb nichts erfasst. Ihr Text steht weiter unten; "
        "bitte versuchen Sie es in ein paar Minuten noch einmal."
    ),
    "not_found_title": "Seite nicht gefunden",
    "not_found": "Diese Seite gibt es nicht. Bitte verwenden Sie den Link aus Ihrer E-Mail.",
    "method_title": "Nicht möglich",
    "method": "Diese Seite lässt sich so nicht verwenden.",
    "too_large_title": "Zu lang",
    "too_large": "Ihre Antwort ist zu lang zum Absenden; es wurde nichts erfasst. Bitte kürzen Sie sie.",
    "error_title": "Etwas ist schiefgegangen",
    "error": (
        "Bei uns ist etwas schiefgegangen. Bitte öffnen Sie den Link aus Ihrer E-Mail noch einmal: "
        "Die Seite zeigt Ihnen, ob Ihre Antwort angekommen ist."
    ),
    "form_errors": "Bitte prüfen Sie die markierten Felder. Es wurde noch nichts erfasst.",
    "err_choice": "Bitte wählen Sie eine der Möglichkeiten.",
    "err_slot": "Bitte wählen Sie einen der angebotenen neuen Termine.",
    "err_range": "Bitte wählen Sie einen Wert von {lo} bis {hi}.",
    "err_too_long": "Dieser Text ist zu lang: {length} Zeichen, höchstens {max}.",
    "err_control": "Dieser Text enthält ein Steuerzeichen, das sich nicht versenden lässt. Bitte entfernen Sie es.",
    "err_empty_reflection": "Bitte beantworten Sie mindestens eine Frage.",
    "err_empty_review": "Bitte beantworten Sie mindestens eine Frage.",
    "journal_subject": "Ihre Reflexion zu Termin {number} von {total}",
    "journal_subject_shared": "Reflexion von {name} zu Termin {number} von {total}",
    "journal_hello": "Guten Tag {name},",
    "journal_hello_shared": "Guten Tag {name} und {partner},",
    "journal_intro": "hier ist Ihre Reflexion zu Termin {number} von {total} ({when}), so wie Sie sie geschrieben haben.",
    "journal_intro_shared": (
        "hier ist die Reflexion von {name} zu Termin {number} von {total} ({when}), so wie {name} sie geschrieben hat."
    ),
    "journal_shared": "{name} hat sie mit {partner} geteilt.",
    "journal_footer": (
        "Diese E-Mail ist die einzige Kopie: Der Reverse-Mentoring-Dienst hat den Text nicht gespeichert, "
        "und das Programmbüro sieht ihn nie."
    ),
}

_BY_LANGUAGE = {Language.EN: EN, Language.DE: DE}


class Texts:
    def __init__(self, language: Language) -> None:
        self.language = language
        self._texts = _BY_LANGUAGE[language]

    def __call__(self, key: str, **values: object) -> str:
        return self._texts[key].format(**values)
