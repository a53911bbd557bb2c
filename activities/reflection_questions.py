"""The reflection question bank.

Mentors reflect on teaching and sharing their expertise, mentees on learning.
Each (language, role, function) has two sets; two sets against three functions
means a workflow that rotates the function each round still meets every set.
"""

from __future__ import annotations

from mentoring.cohort import Language, Role
from mentoring.messages import MentoringFunction

_EN, _DE = Language.EN, Language.DE
_MENTOR, _MENTEE = Role.MENTOR, Role.MENTEE
_CAREER = MentoringFunction.CAREER
_PSYCHOSOCIAL = MentoringFunction.PSYCHOSOCIAL
_EMOTIONAL = MentoringFunction.EMOTIONAL

BANK: dict[tuple[Language, Role, MentoringFunction], tuple[tuple[str, ...], ...]] = {
    (_EN, _MENTOR, _CAREER): (
        (
            "Which part of your expertise was most useful to your mentee, and why?",
            "What did you learn about how decisions are made at leadership level?",
            "Which of your skills would you like to make more visible in your own career?",
        ),
        (
            "What did explaining your subject to an executive teach you about your own expertise?",
            "Which contact or perspective from these sessions could help with your next career step?",
            "What would you like to show your mentee next, and how will you prepare it?",
        ),
    ),
    (_EN, _MENTOR, _PSYCHOSOCIAL): (
        (
            "How comfortable did you feel setting the pace and direction as the expert in the room?",
            "When did your mentee pick up an idea most easily, and what had you just done?",
            "What helps you speak openly with someone far more senior than you?",
        ),
        (
            "How has your picture of your mentee's role and working day changed?",
            "Where did you hold back an opinion, and what would have helped you say it?",
            "What feedback on the way you share your knowledge would you like from your mentee?",
        ),
    ),
    (_EN, _MENTOR, _EMOTIONAL): (
        (
            "Which moment in your last session gave you energy?",
            "Was there a moment when you felt unsure of yourself as the expert? What did you do?",
            "How do you feel about the trust between the two of you at the moment?",
        ),
        (
            "What was frustrating or tiring about explaining your subject, and what would make it easier?",
            "What are you proud of in the way you have shared your knowledge so far?",
            "What do you need to go into the next session feeling confident?",
        ),
    ),
    (_EN, _MENTEE, _CAREER): (
        (
            "What have you learned that you can use in your work within the next two weeks?",
            "Which of your assumptions about the topic did the last session challenge?",
            "How could what you are learning change the way you lead your team?",
        ),
        (
            "Which new skill would you like to practise before your next session?",
            "Where in your organisation would a younger colleague's perspective improve your decisions?",
            "What progress have you made on the goals you agreed at the start?",
        ),
    ),
    (_EN, _MENTEE, _PSYCHOSOCIAL): (
        (
            "How did it feel to be the learner, with a junior colleague as the expert?",
            "What have you learned about how your mentor's generation works and communicates?",
            "What could you do to make it easier for your mentor to speak openly with you?",
        ),
        (
            "When did you last ask a question you would normally have kept to yourself?",
            "How has your picture of your mentor changed since your first meeting?",
            "What would you like to try out together that you would not try alone?",
        ),
    ),
    (_EN, _MENTEE, _EMOTIONAL): (
        (
            "What surprised you in the last session, and how did you feel about it?",
            "Where did you feel out of your depth, and what helped?",
            "What are you curious about now that you were not curious about before?",
        ),
        (
            "Which moment of the mentoring so far do you remember most, and why?",
            "What makes it easy or hard for you not to be the person who knows most in the room?",
            "How openly do you feel you can speak with your mentor at the moment?",
        ),
    ),
    (_DE, _MENTOR, _CAREER): (
        (
            "Welcher Teil Ihres Fachwissens war für Ihr Gegenüber am nützlichsten – und warum?",
            "Was haben Sie darüber gelernt, wie auf Führungsebene Entscheidungen entstehen?",
            "Welche Ihrer Fähigkeiten möchten Sie in Ihrer eigenen Laufbahn sichtbarer machen?",
        ),
        (
            "Was hat Ihnen das Erklären Ihres Themas vor einer Führungskraft über Ihr eigenes Fachwissen gezeigt?",
            "Welcher Kontakt oder welche Sichtweise aus den Treffen könnte Ihnen beim nächsten Karriereschritt helfen?",
            "Was möchten Sie Ihrem Gegenüber als Nächstes zeigen, und wie bereiten Sie es vor?",
        ),
    ),
    (_DE, _MENTOR, _PSYCHOSOCIAL): (
        (
            "Wie wohl haben Sie sich dabei gefühlt, als Expertin oder Experte Tempo und Richtung vorzugeben?",
            "Wann hat Ihr Gegenüber eine Idee am leichtesten aufgenommen, und was hatten Sie kurz davor getan?",
            "Was hilft Ihnen, offen mit jemandem zu sprechen, der in der Hierarchie weit über Ihnen steht?",
        ),
        (
            "Wie hat sich Ihr Bild von der Rolle und dem Arbeitsalltag Ihres Gegenübers verändert?",
            "Wo haben Sie eine Meinung zurückgehalten, und was hätte Ihnen geholfen, sie auszusprechen?",
            "Welche Rückmeldung wünschen Sie sich von Ihrem Gegenüber dazu, wie Sie Ihr Wissen weitergeben?",
        ),
    ),
    (_DE, _MENTOR, _EMOTIONAL): (
        (
            "Welcher Moment im letzten Treffen hat Ihnen Energie gegeben?",
            "Gab es einen Moment, in dem Sie sich als Expertin oder Experte unsicher gefühlt haben? "
            "Wie sind Sie damit umgegangen?",
            "Wie erleben Sie das Vertrauen zwischen Ihnen beiden im Moment?",
        ),
        (
            "Was war beim Erklären Ihres Themas frustrierend oder anstrengend, und was würde es leichter machen?",
            "Worauf sind Sie stolz, wenn Sie daran denken, wie Sie Ihr Wissen bisher weitergegeben haben?",
            "Was brauchen Sie, um zuversichtlich in das nächste Treffen zu gehen?",
        ),
    ),
    (_DE, _MENTEE, _CAREER): (
        (
            "Was haben Sie gelernt, das Sie in den nächsten zwei Wochen in Ihrer Arbeit anwenden können?",
            "Welche Ihrer Annahmen über das Thema hat das letzte Treffen infrage gestellt?",
            "Wie könnte das, was Sie gerade lernen, Ihre Art verändern, Ihr Team zu führen?",
        ),
        (
            "Welche neue Fähigkeit möchten Sie bis zum nächsten Treffen üben?",
            "Wo in Ihrer Organisation würde die Sichtweise jüngerer Kolleginnen und Kollegen Ihre "
            "Entscheidungen verbessern?",
            "Welche Fortschritte haben Sie bei den Zielen gemacht, die Sie zu Beginn vereinbart haben?",
        ),
    ),
    (_DE, _MENTEE, _PSYCHOSOCIAL): (
        (
            "Wie war es für Sie, die lernende Seite zu sein, während eine jüngere Kollegin oder ein "
            "jüngerer Kollege die Expertenrolle hat?",
            "Was haben Sie darüber erfahren, wie die Generation Ihres Gegenübers arbeitet und kommuniziert?",
            "Was können Sie tun, damit Ihr Gegenüber leichter offen mit Ihnen sprechen kann?",
        ),
        (
            "Wann haben Sie zuletzt eine Frage gestellt, die Sie sonst für sich behalten hätten?",
            "Wie hat sich Ihr Bild von Ihrem Gegenüber seit dem ersten Treffen verändert?",
            "Was möchten Sie gemeinsam ausprobieren, das Sie allein nicht ausprobieren würden?",
        ),
    ),
    (_DE, _MENTEE, _EMOTIONAL): (
        (
            "Was hat Sie im letzten Treffen überrascht, und wie ging es Ihnen damit?",
            "Wo haben Sie sich überfordert gefühlt, und was hat Ihnen geholfen?",
            "Worauf sind Sie jetzt neugierig, das Sie vorher nicht interessiert hat?",
        ),
        (
            "An welchen Moment im bisherigen Mentoring erinnern Sie sich am stärksten, und warum?",
            "Was macht es Ihnen leicht oder schwer, in diesen Treffen nicht die Person zu sein, die am meisten weiß?",
            "Wie offen können Sie im Moment mit Ihrem Gegenüber sprechen?",
        ),
    ),
}


def questions_for(
    role: Role, function: MentoringFunction, reflection_round: int, language: Language
) -> tuple[str, ...]:
    """The question set for this round; the set rotates with ``reflection_round``."""
    try:
        sets = BANK[(language, role, function)]
    except KeyError:
        raise ValueError(
            f"no reflection questions for role {role.value!r}, function {function.value!r}, language {language.value!r}"
        ) from None
    return sets[reflection_round % len(sets)]
