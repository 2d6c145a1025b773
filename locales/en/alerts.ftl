# Staff alerts: the frame around each alert's own sentence (the decline-* keys in safety.ftl and
# the symptom alert keys), the Acknowledge button, and the /alerts list.
# HTML is allowed here; the code escapes every argument. Staff are named by their staff number.

alert-title-urgent = 🚨 <b>URGENT alert #{ $id }</b>
alert-title-routine = <b>Alert #{ $id }</b>
alert-escalation = <b>ESCALATION { $round }</b>: this alert has not been acknowledged yet.
alert-raised = Raised { $when }.
alert-acknowledged = ✅ <b>Acknowledged</b> by { $staff } at { $when }.
# Plain text: used when an alert's own message cannot be shown by this version.
alert-fallback = { $subject }: { $what }.

button-acknowledge = Acknowledge
alert-ack-done = Acknowledged. Every copy of this alert now shows it.
alert-ack-already = Already acknowledged by { $staff } at { $when }.
alert-unknown = There is no such alert.

## /alerts

alerts-empty = There are no open alerts.
alerts-header = <b>Open alerts</b>, urgent first · page { $page } of { $pages } ({ $count } in all)
alerts-line-urgent = 🚨 <b>#{ $id } URGENT</b> · { $subject } · { $what } · { $when }
alerts-line-routine = #{ $id } · { $subject } · { $what } · { $when }
alerts-escalated = (sent again { $count ->
        [one] once
       *[other] { $count } times
    })
alerts-hint = "Open #N" shows alert #N in full; "✓ #N" acknowledges it.
button-open-alert = Open #{ $id }
button-acknowledge-alert = ✓ #{ $id }
button-alerts-back = Back to the list

## Short names of what raised an alert, for the list.

alert-kind-decline = decline
alert-kind-symptom = adverse symptom
alert-rule-previous = total fell since the previous submission
alert-rule-baseline = total fell since baseline
alert-rule-slope = steep decline over the last { $days ->
        [one] day
       *[other] { $days } days
    }
alert-rule-item = an item fell
alert-rule-breathing = breathing (item 10)
alert-rule-swallowing = swallowing (item 3)
alert-symptom-headache = symptom: headache
alert-symptom-injection-site = symptom: pain, swelling, redness or leaking at the injection site (possible complication)
alert-symptom-meningism = symptom: stiff neck with fever, or light hurting the eyes (possible meningism)
alert-symptom-leg-weakness = symptom: new leg weakness or numbness
alert-symptom-bladder = symptom: new loss of bladder control (possible new neurological deficit)
alert-symptom-breathing = symptom: breathing much harder
alert-symptom-fever = symptom: fever or chills
alert-symptom-neck-arm = symptom: neck or arm pain, tingling
alert-symptom-urination = symptom: burning or frequent urination (possible cystitis)
alert-symptom-sweating = symptom: unusual heavy sweating (possible hyperhidrosis)
alert-symptom-other = symptom: other adverse event

downtime-notice = The study bot was not running from { $start } to { $end }. Reminders and alerts that fell due meanwhile are going out now.

## Issue 11: one alert per event, follow-ups, what was done, display names.

# A staff member who has not chosen a display name (/name).
alert-staff-number = staff #{ $id }
alert-still-met = Still met on { $date }: { $total }.
alert-still-reported = Reported again on { $date }, severity { $severity }.
alert-ack-action = Done: { $action }.
alert-ack-note = Note: “{ $note }”
alert-action-called = called the participant
alert-action-visit = clinic visit arranged
alert-action-none = no action needed
alert-action-other = other
alert-action-title = <b>Acknowledge #{ $id }</b>
alert-choose-action = What was done? Called: called the participant. Visit: clinic visit arranged. No action: no action needed. Other: something else (then send /note with a few words).
button-action-called = Called
button-action-visit = Visit
button-action-none = No action
button-action-other = Other…
alert-note-ask = Acknowledged. Send /note and a few words saying what was done, for example: /note left a voicemail
alert-ack-bulk-done = { $count ->
        [one] 1 alert acknowledged.
       *[other] { $count } alerts acknowledged.
    }
alerts-participant-header = <b>Open alerts of { $subject }</b> ({ $count })
alerts-participant-none = { $subject } has no open alerts.
note-usage = Send /note and a few words (at most { $max } characters) after acknowledging an alert with "Other".
note-saved = Note saved on { $count ->
        [one] 1 alert
       *[other] { $count } alerts
    }.
note-nothing = There is no alert acknowledged with "Other" waiting for a note.
name-usage = Send /name and the name colleagues should see on alerts (at most { $max } characters), for example: /name Dana N.
name-set = Colleagues now see you as { $name } on alerts.

## Issue 16: the on-call e-mail. E-mail is not a secure channel: nothing clinical, only the
## pseudonymous study ID, the alert's number and when it was raised.

email-alert-subject = { $study }: urgent alert #{ $number } ({ $subject })
email-alert-body =
    Urgent alert #{ $number } about participant { $subject } was raised on { $time } and nobody has acknowledged it yet.

    Open Telegram to see it and acknowledge it.

    This e-mail is sent by the study bot to the on-call address; it holds nothing else.
email-downtime-subject = { $study }: the study bot was not running
