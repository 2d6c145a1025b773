## Clinic visits entered by staff (/visit), the onset month, and the clinic's alerts.
## A clinic rating is the clinic's: its respondent kind is "clinic", never the patient's.

visit-usage = Usage: /visit STUDY_ID, for example /visit S001.
visit-header = <b>Clinic visit · { $subject }</b>
visit-header-label = <b>Clinic visit { $label } · { $subject }</b>
visit-label-question = Which visit is this?
visit-unscheduled = Unscheduled
visit-date-question = Date of the visit? Tap Today, or type the date (for example 2026-11-02 or 2. 11. 2026).
visit-today = Today
visit-tube-question = Clinic-rated ALSFRS. Does the patient have a gastrostomy (feeding tube) now? This decides which item 5 is rated. Tap Not rated if the ALSFRS was not rated at this visit.
visit-tube-yes = Gastrostomy
visit-tube-no = No gastrostomy
visit-not-rated = Not rated
visit-item-rater = Clinic rating
visit-fvc-question = FVC, % of predicted: type a whole number from 0 to { $max }.
visit-norris-question = Norris scale total: type a whole number from 0 to { $max }.
visit-norris-bulbar-question = Norris bulbar subscore, if the site records it: type 0 to { $max }.
visit-norris-spinal-question = Norris spinal subscore, if the site records it: type 0 to { $max }.
visit-not-measured = Not measured
visit-back = Back
visit-save = Save
visit-review-title = Check the visit, then tap Save.
visit-review-label = Visit: { $label }
visit-review-date = Date: { $date }
visit-review-alsfrs = ALSFRS (clinic): { $total } of 40 (item 5: { $variant })
visit-review-items = Items 1–10: { $items }
visit-review-alsfrs-none = ALSFRS (clinic): not rated
visit-review-fvc = FVC: { $fvc } % of predicted
visit-review-fvc-none = FVC: not measured
visit-review-norris = Norris total: { $total }
visit-review-norris-subscores = Norris bulbar: { $bulbar }; spinal: { $spinal }
visit-review-norris-none = Norris: not measured
visit-subscore-none = not recorded
visit-edit-label = Visit
visit-edit-date = Date
visit-edit-alsfrs = ALSFRS
visit-edit-fvc = FVC
visit-edit-norris = Norris
visit-variant-5a = 5a, without gastrostomy
visit-variant-5b = 5b, with gastrostomy
visit-saved = Saved: clinic visit { $label } of { $subject } on { $date }.
visit-saved-alerts = { $count ->
        [one] The FVC rule raised 1 alert for staff.
       *[other] The FVC rule raised { $count } alerts for staff.
    }
visit-stale = That button belongs to an older step of the visit. Use the latest message.
visit-tap-please = Please tap one of the buttons for this step.
visit-date-invalid = That is not a date I can read. Type it like 2026-11-02 or 2. 11. 2026.
visit-date-future = The visit date cannot be in the future. Type today's date or an earlier one.
visit-fvc-range = FVC is a whole number from 0 to { $max } (% of predicted). Please type it again.
visit-norris-range = The Norris total is a whole number from 0 to { $max }. Please type it again.
visit-norris-bulbar-range = The Norris bulbar subscore is a whole number from 0 to { $max }. Please type it again.
visit-norris-spinal-range = The Norris spinal subscore is a whole number from 0 to { $max }. Please type it again.
onset-usage = Usage: /onset STUDY_ID YYYY-MM, for example /onset S001 2025-03.
onset-set = { $subject }: symptom onset recorded as { $month }.

## Alerts for staff. $subject is the pseudonymous study ID; dates are YYYY-MM-DD.

decline-baseline-clinic = { $subject }: total fell by { $fall ->
        [one] 1 point
       *[other] { $fall } points
    } since the clinic baseline (visit { $visit }: { $old_total } on { $old_date } → self-report { $new_total } on { $new_date }).
decline-baseline-first-report = { $subject }: total fell by { $fall ->
        [one] 1 point
       *[other] { $fall } points
    } since the baseline, the first self-report ({ $old_total } on { $old_date } → { $new_total } on { $new_date }).
decline-fvc-low = { $subject }: FVC { $new_fvc } % of predicted at visit { $visit } on { $new_date }, below { $limit } %.
decline-fvc-fall = { $subject }: FVC fell by { $fall } points since the previous visit ({ $old_fvc } % on { $old_date } → { $new_fvc } % at visit { $visit } on { $new_date }).
alert-rule-fvc = FVC (clinic visit)

## Charts (staff /participant, patient /history, agreement plot). $date is day and month.

chart-kind-patient = Patient
chart-kind-caregiver = Caregiver
chart-kind-clinic = Clinic
chart-baseline-clinic = Baseline: clinic, { $date }
chart-baseline-patient = Baseline: first self-report, { $date }
chart-baseline-caregiver = Baseline: first report (caregiver), { $date }
chart-fvc = FVC (% pred.)
agreement-plot-x = Mean of clinic and report (0–40)
agreement-plot-y = Report − clinic

## Derived measures in staff /participant (docs/derived-measures.md). Estimates say so.

derived-none = <b>Derived measures</b>: no complete rating yet.
derived-header = <b>Derived measures</b> from the newest complete rating ({ $source }, { $date })
derived-subscores = Subscores: bulbar { $bulbar }/12 · fine motor { $fine }/8 · gross motor { $gross }/16 · respiratory { $respiratory }/4
derived-rate = Progression rate ΔFS: { $rate } points a month since onset { $onset }, { $speed } (estimate: onset known to the month)
derived-rate-none = Progression rate ΔFS: not known, no onset month recorded (set it with /onset).
derived-speed-slow = slow
derived-speed-intermediate = intermediate
derived-speed-fast = fast
derived-kings = King's stage: { $stage } (estimate, mapped from the ALSFRS-R)
derived-mitos = MiToS stage: { $stage } (estimate, mapped from the ALSFRS-R)

staff-usage-enroll-onset = The symptom onset is a past month: /enroll SUBJECT_ID [en|cs] onset YYYY-MM, for example /enroll S001 cs onset 2025-03.
