# Everything the bot says outside the ALSFRS items. HTML is allowed where the code sends HTML;
# arguments are escaped by the code before they are put in.

stranger =
    Hello. This is the self-assessment companion of an ALS clinical study.
    It is only for people taking part in the study and for their caregivers.
    If you take part, please open the personal link that your study team gave you. If you have questions, please ask your study team.
code-invalid =
    This link does not work. It may have been used already, or it may have expired.
    Please ask your study team for a new link.
code-throttled = Too many wrong codes were tried. For up to { $minutes } minutes no link can connect this account, not even a new valid one. Please wait, then open your link again.
code-conflict = This Telegram account is already linked in the study in another way, so this link cannot be used with it. Please ask your study team.
linked-patient = Thank you, your Telegram account is now linked to the study.
welcome =
    Welcome. This bot helps you record how you are doing between clinic visits, with the ALS functional rating scale (ALSFRS).
    It is ten short questions, answered by tapping buttons, and takes about five minutes.
welcome-back = Welcome back.
welcome-in-progress = You have an assessment in progress ({ $answered } of 10 answered). Tap below to continue where you left off.
button-start = Start the assessment
button-continue = Continue the assessment

question-header = <b>Question { $number } of 10 · { $name }</b>
question-compare = Compare with how things were before ALS began, not with the last time. Tap the number of the answer that fits best.
question-current = Answer given: { $label }
answer-label = { $score } · { $text }
answer-button = { $score } · { $word }
answer-chosen = { $label } ✓
button-back = Back

tube-header = <b>Before question 5: gastrostomy</b>
tube-question = Do you have a gastrostomy at present: a feeding tube through the belly into the stomach (PEG or RIG)? A tube through the nose does not count.
tube-question-proxy = Does the person you care for have a gastrostomy at present: a feeding tube through the belly into the stomach (PEG or RIG)? A tube through the nose does not count.
tube-yes = Yes, gastrostomy
tube-no = No gastrostomy
tube-known-yes = Gastrostomy: yes. If this has changed, tap "Change gastrostomy".
tube-known-no = Gastrostomy: no. If this has changed, tap "Change gastrostomy".
button-change-tube = Change gastrostomy

review-header = <b>Please check the answers</b>
review-line = { $number }. { $name }: { $label }
review-total = <b>Total: { $total } of 40</b>
review-hint = To change an answer, tap ✎ and its question number below. When everything is right, tap Submit.
button-edit = ✎ { $number }
button-submit = Submit

submitted-title = <b>Thank you. The assessment is saved.</b>
submitted-total = Total today: { $total } of 40.
change-lower = { $total } of 40, { $points ->
    [one] 1 point lower
   *[other] { $points } points lower
} than on { $date }.
change-higher = { $total } of 40, { $points ->
    [one] 1 point higher
   *[other] { $points } points higher
} than on { $date }.
change-same = { $total } of 40, the same as on { $date }.
change-first = This is the first assessment saved in the study.
submitted-transcript = Assessment submitted on { $date }, total { $total } of 40.

notice-already-answered = This was already answered. Please use the latest message.
notice-already-submitted = This assessment was already submitted.
notice-invalid-button = This button is not valid.
notice-saved = Saved.
notice-not-enrolled = This account is not linked to a participant.
tap-reminder = Please answer by tapping one of the buttons under the question. Here it is again:
nothing-to-do = To answer the questions, send /assess. For help, send /help.

cancelled = All right, we stop here. Your answers so far are saved. Send /assess when you want to continue where you left off.
cancel-nothing = There is no assessment in progress.
assessment-retired = This assessment continues in a newer message below.

history-header = <b>Your saved assessments</b>
history-line = { $date }: { $total } of 40
history-empty = No assessment has been submitted yet.

language-prompt = Choose your language:
language-set = The language is now English.

help =
    <b>How to use this bot</b>
    /assess – answer the ten questions (or continue where you left off)
    /symptoms – report a new symptom at any time
    /time – the time of day for your reminders
    /history – your saved assessments
    /language – change the language
    /cancel – stop for now; your answers are kept
    /help – this message
    Every answer is saved as soon as you tap it. If you have questions about the study, please contact your study team.

error-generic = Sorry, something went wrong on our side. Your saved answers are safe. Please try again in a moment.
participant-inactive = Your participation is paused or has ended, so the bot does not ask questions now. If this is not right, please contact your study team.

cmd-assess = Answer the ALSFRS questions
cmd-history = Your saved assessments
cmd-language = Change the language
cmd-cancel = Stop for now, answers are kept
cmd-help = How to use this bot
assessment-taken-over = This assessment is now being continued by someone else (the patient or a caregiver). Send /assess to see where it stands.
cmd-symptoms = Report a new symptom
