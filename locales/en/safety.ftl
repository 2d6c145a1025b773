# Adverse symptoms (asked after an assessment) and the staff alerts of the decline rules.
# Meanings follow shared/reference/alsfrs.md; review side by side with cs/safety.ftl.
# Plain text, no HTML. The bot gives no medical advice beyond "call the study site now".

## The symptom question. "-proxy" is the wording for a caregiver answering about the patient.

symptoms-question = Have you had any new symptom since last time?
symptoms-question-proxy = Has the person you care for had any new symptom since last time?
symptoms-none = None

symptom-headache = Headache
symptom-headache-proxy = Headache
symptom-headache-short = Headache
symptom-injection-site = Pain, swelling, redness or leaking at the injection site in your lower back
symptom-injection-site-proxy = Pain, swelling, redness or leaking at the injection site in their lower back
symptom-injection-site-short = Injection site
symptom-meningism = Stiff neck with fever, or light hurting your eyes
symptom-meningism-proxy = Stiff neck with fever, or light hurting their eyes
symptom-meningism-short = Stiff neck, fever
symptom-leg-weakness = New weakness or numbness of your legs
symptom-leg-weakness-proxy = New weakness or numbness of their legs
symptom-leg-weakness-short = Weak or numb legs
symptom-bladder = New loss of bladder control
symptom-bladder-proxy = New loss of bladder control
symptom-bladder-short = Bladder control
symptom-breathing = Breathing much harder than usual
symptom-breathing-proxy = Breathing much harder than usual
symptom-breathing-short = Harder breathing
symptom-fever = Fever or chills
symptom-fever-proxy = Fever or chills
symptom-fever-short = Fever or chills
symptom-neck-arm = Neck pain, or pain or tingling down your arms
symptom-neck-arm-proxy = Neck pain, or pain or tingling down their arms
symptom-neck-arm-short = Neck or arm pain
symptom-urination = Burning or frequent urination
symptom-urination-proxy = Burning or frequent urination
symptom-urination-short = Urination trouble
symptom-sweating = Unusual heavy sweating
symptom-sweating-proxy = Unusual heavy sweating
symptom-sweating-short = Heavy sweating
symptom-other = Something else
symptom-other-proxy = Something else
symptom-other-short = Something else

symptom-other-prompt = Please describe it in a few words (at most { $max ->
        [one] 1 character
       *[other] { $max } characters
    }).
symptom-other-empty = Please describe it in words: this message shows no text.
symptom-other-too-long = This is too long. Please shorten it to at most { $max ->
        [one] 1 character
       *[other] { $max } characters
    }.

## Severity, as the protocol grades it: 1 mild, 2 moderate, 3 severe.

severity-question = How strong is this symptom? Tap the word that fits best:
severity-1 = Mild
severity-1-explanation = Noticeable, but it does not get in the way of daily life.
severity-2 = Moderate
severity-2-explanation = It gets in the way of some daily activities.
severity-3 = Severe
severity-3-explanation = It prevents daily activities, or help is needed because of it.

## After the answer.

symptoms-saved = Thank you. Your answer is saved for the study team.
urgent-call-site =
    Please call the study site now: { $phone }.
    If it is an emergency, call the emergency services: { $emergency }.
urgent-call-site-no-phone =
    Please contact the study site now.
    If it is an emergency, call the emergency services: { $emergency }.
emergency-number-one = { $first }
emergency-number-two = { $first } (or { $second })

## Staff alerts from the decline rules. The code adds $subject (the pseudonymous study ID);
## dates are YYYY-MM-DD. Scores run 4 (normal) down to 0; totals run 0-40.

decline-previous = { $subject }: total fell by { $fall ->
        [one] 1 point
       *[other] { $fall } points
    } since the previous submission ({ $old_total } on { $old_date } → { $new_total } on { $new_date }).
decline-baseline = { $subject }: total fell by { $fall ->
        [one] 1 point
       *[other] { $fall } points
    } since baseline ({ $old_total } on { $old_date } → { $new_total } on { $new_date }).
decline-slope = { $subject }: total fell by { $rate } { $rate ->
        [one] point
       *[other] points
    } per month over the last { $days ->
        [one] day
       *[other] { $days } days
    } (least-squares slope of { $count } submissions, { $old_total } on { $old_date } → { $new_total } on { $new_date }); the alert limit is { $limit } { $limit ->
        [one] point
       *[other] points
    } per month.
decline-item = { $subject }: item { $item } ({ $item_slug ->
        [speech] { item-speech-name }
        [salivation] { item-salivation-name }
        [swallowing] { item-swallowing-name }
        [handwriting] { item-handwriting-name }
        [cutting] { item-cutting-name }
        [cutting-tube] { item-cutting-tube-name }
        [dressing] { item-dressing-name }
        [turning] { item-turning-name }
        [walking] { item-walking-name }
        [stairs] { item-stairs-name }
        [breathing] { item-breathing-name }
       *[other] { $item_slug }
    }) fell by { $fall ->
        [one] 1 point
       *[other] { $fall } points
    } since the previous submission ({ $old_score } on { $old_date } → { $new_score } on { $new_date }).
decline-breathing-fall = { $subject }: breathing (item 10) fell by { $fall ->
        [one] 1 point
       *[other] { $fall } points
    } since the previous submission ({ $old_score } on { $old_date } → { $new_score } on { $new_date }: { $new_score ->
        [4] { item-breathing-level-4 }
        [3] { item-breathing-level-3 }
        [2] { item-breathing-level-2 }
        [1] { item-breathing-level-1 }
        [0] { item-breathing-level-0 }
       *[other] { $new_score }
    }).
decline-breathing-low = { $subject }: breathing (item 10) was { $new_score } on { $new_date } ({ $new_score ->
        [4] { item-breathing-level-4 }
        [3] { item-breathing-level-3 }
        [2] { item-breathing-level-2 }
        [1] { item-breathing-level-1 }
        [0] { item-breathing-level-0 }
       *[other] { $new_score }
    }), at or below the alert limit of { $limit }.
decline-swallowing = { $subject }: swallowing (item 3) fell to { $limit } or less ({ $old_score } on { $old_date } → { $new_score } on { $new_date }: { $new_score ->
        [4] { item-swallowing-level-4 }
        [3] { item-swallowing-level-3 }
        [2] { item-swallowing-level-2 }
        [1] { item-swallowing-level-1 }
        [0] { item-swallowing-level-0 }
       *[other] { $new_score }
    }).

## The symptom question on screen.

symptoms-header = <b>New symptoms</b>
symptoms-hint = Tap each symptom that applies, then Done. If there is nothing new, tap None.
symptoms-hint-standalone = Tap each symptom that applies and say how strong it is, then tap Done.
severity-line = <b>{ $name }</b>: { $explanation }
severity-button = { $name }
symptom-line = <b>{ $short }</b>: { $text }
symptom-with-severity = { $name } ({ $severity })
button-remove-symptom = Remove this symptom
button-symptoms-done = Done
button-cancel = Cancel
review-symptoms-none = New symptoms: none.
review-symptoms = New symptoms: { $list }.
symptoms-cancelled = All right, nothing was reported.
symptoms-open-assessment = Symptoms can also be reported at the end of the assessment in progress. Here is a separate report:

## Staff alerts for reported symptoms. Arguments: $subject, $date (YYYY-MM-DD), $severity (1-3);
## "something else" also has $text (the respondent's words, shown escaped).

alert-severity = severity { $severity } ({ $severity ->
        [1] mild
        [2] moderate
       *[3] severe
    })
symptom-alert-headache = { $subject }: headache reported on { $date }, { alert-severity }.
symptom-alert-injection-site = { $subject }: pain, swelling, redness or leaking at the injection site reported on { $date }, { alert-severity } (injection-site complication).
symptom-alert-meningism = { $subject }: stiff neck with fever, or light hurting the eyes, reported on { $date }, { alert-severity } (possible meningism).
symptom-alert-leg-weakness = { $subject }: new weakness or numbness of the legs reported on { $date }, { alert-severity } (possible new neurological deficit).
symptom-alert-bladder = { $subject }: new loss of bladder control reported on { $date }, { alert-severity } (possible new neurological deficit).
symptom-alert-breathing = { $subject }: breathing much harder than usual reported on { $date }, { alert-severity } (possible respiratory failure).
symptom-alert-fever = { $subject }: fever or chills reported on { $date }, { alert-severity } (possible infection).
symptom-alert-neck-arm = { $subject }: neck pain, or pain or tingling down the arms, reported on { $date }, { alert-severity } (possible cervical spine stenosis).
symptom-alert-urination = { $subject }: burning or frequent urination reported on { $date }, { alert-severity } (possible cystitis).
symptom-alert-sweating = { $subject }: unusual heavy sweating reported on { $date }, { alert-severity } (hyperhidrosis).
symptom-alert-other = { $subject }: another symptom reported on { $date }, { alert-severity }: “{ $text }”.

## The total rules across a change of item 5's variant (5a without, 5b with gastrostomy): the
## totals compared are those of the other nine items.
decline-item5-left-out = Item 5 is left out of these totals: it was answered once as 5a (no gastrostomy) and once as 5b (with gastrostomy), which are different questions.
decline-previous-switch = { decline-previous } { decline-item5-left-out }
decline-baseline-switch = { decline-baseline } { decline-item5-left-out }
decline-slope-switch = { decline-slope } { decline-item5-left-out }
