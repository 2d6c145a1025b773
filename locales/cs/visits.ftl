## Klinické návštěvy zadávané studijním týmem (/visit), měsíc začátku příznaků a upozornění.
## Hodnocení z kliniky patří klinice: druh respondenta je „clinic“, nikdy ne pacient.

visit-usage = Použití: /visit ID_VE_STUDII, například /visit S001.
visit-header = <b>Návštěva na klinice · { $subject }</b>
visit-header-label = <b>Návštěva na klinice { $label } · { $subject }</b>
visit-label-question = O kterou návštěvu jde?
visit-unscheduled = Neplánovaná
visit-date-question = Datum návštěvy? Klepněte na Dnes, nebo napište datum (například 2. 11. 2026 nebo 2026-11-02).
visit-today = Dnes
visit-tube-question = ALSFRS hodnocená na klinice. Má pacient nyní gastrostomii (sondu pro výživu)? Podle toho se hodnotí otázka 5. Klepněte na Nehodnoceno, pokud se ALSFRS při této návštěvě nehodnotila.
visit-tube-yes = Gastrostomie
visit-tube-no = Bez gastrostomie
visit-not-rated = Nehodnoceno
visit-item-rater = Hodnocení kliniky
visit-fvc-question = FVC v % náležité hodnoty: napište celé číslo od 0 do { $max }.
visit-norris-question = Celkové skóre Norrisovy škály: napište celé číslo od 0 do { $max }.
visit-norris-bulbar-question = Bulbární subskóre Norrisovy škály, pokud ho centrum zaznamenává: napište 0 až { $max }.
visit-norris-spinal-question = Spinální subskóre Norrisovy škály, pokud ho centrum zaznamenává: napište 0 až { $max }.
visit-not-measured = Neměřeno
visit-back = Zpět
visit-save = Uložit
visit-review-title = Zkontrolujte návštěvu a klepněte na Uložit.
visit-review-label = Návštěva: { $label }
visit-review-date = Datum: { $date }
visit-review-alsfrs = ALSFRS (klinika): { $total } ze 40 (otázka 5: { $variant })
visit-review-items = Otázky 1–10: { $items }
visit-review-alsfrs-none = ALSFRS (klinika): nehodnoceno
visit-review-fvc = FVC: { $fvc } % náležité hodnoty
visit-review-fvc-none = FVC: neměřeno
visit-review-norris = Norrisova škála celkem: { $total }
visit-review-norris-subscores = Norris bulbární: { $bulbar }; spinální: { $spinal }
visit-review-norris-none = Norrisova škála: neměřeno
visit-subscore-none = nezaznamenáno
visit-edit-label = Návštěva
visit-edit-date = Datum
visit-edit-alsfrs = ALSFRS
visit-edit-fvc = FVC
visit-edit-norris = Norris
visit-variant-5a = 5a, bez gastrostomie
visit-variant-5b = 5b, s gastrostomií
visit-saved = Uloženo: návštěva na klinice { $label }, { $subject }, dne { $date }.
visit-saved-alerts = { $count ->
        [one] Pravidlo FVC vyvolalo 1 upozornění pro tým.
        [few] Pravidlo FVC vyvolalo { $count } upozornění pro tým.
       *[other] Pravidlo FVC vyvolalo { $count } upozornění pro tým.
    }
visit-stale = Toto tlačítko patří ke staršímu kroku návštěvy. Použijte nejnovější zprávu.
visit-tap-please = Klepněte prosím na jedno z tlačítek tohoto kroku.
visit-date-invalid = Tomuto datu nerozumím. Napište ho jako 2. 11. 2026 nebo 2026-11-02.
visit-date-future = Datum návštěvy nemůže být v budoucnosti. Napište dnešní nebo dřívější datum.
visit-fvc-range = FVC je celé číslo od 0 do { $max } (% náležité hodnoty). Napište ho prosím znovu.
visit-norris-range = Celkové skóre Norrisovy škály je celé číslo od 0 do { $max }. Napište ho prosím znovu.
visit-norris-bulbar-range = Bulbární subskóre Norrisovy škály je celé číslo od 0 do { $max }. Napište ho prosím znovu.
visit-norris-spinal-range = Spinální subskóre Norrisovy škály je celé číslo od 0 do { $max }. Napište ho prosím znovu.
onset-usage = Použití: /onset ID_VE_STUDII RRRR-MM, například /onset S001 2025-03.
onset-set = { $subject }: začátek příznaků zaznamenán jako { $month }.

## Upozornění pro studijní tým. $subject je pseudonymní ID ve studii; data jsou RRRR-MM-DD.

decline-baseline-clinic = { $subject }: celkové skóre kleslo od výchozí hodnoty z kliniky o { $fall ->
        [one] 1 bod
        [few] { $fall } body
       *[other] { $fall } bodů
    } (návštěva { $visit }: { $old_total } dne { $old_date } → vlastní hodnocení { $new_total } dne { $new_date }).
decline-baseline-first-report = { $subject }: celkové skóre kleslo od výchozí hodnoty, tj. prvního vlastního hodnocení, o { $fall ->
        [one] 1 bod
        [few] { $fall } body
       *[other] { $fall } bodů
    } ({ $old_total } dne { $old_date } → { $new_total } dne { $new_date }).
decline-fvc-low = { $subject }: FVC { $new_fvc } % náležité hodnoty při návštěvě { $visit } dne { $new_date }, pod hranicí { $limit } %.
decline-fvc-fall = { $subject }: FVC kleslo od předchozí návštěvy o { $fall } bodů ({ $old_fvc } % dne { $old_date } → { $new_fvc } % při návštěvě { $visit } dne { $new_date }).
alert-rule-fvc = FVC (návštěva na klinice)

## Grafy (personál /participant, pacient /history, graf shody). $date je den a měsíc.

chart-kind-patient = Pacient
chart-kind-caregiver = Pečující
chart-kind-clinic = Klinika
chart-baseline-clinic = Výchozí hodnota: klinika, { $date }
chart-baseline-patient = Výchozí hodnota: první vlastní hodnocení, { $date }
chart-baseline-caregiver = Výchozí hodnota: první hodnocení (pečující), { $date }
chart-fvc = FVC (% nál. hodnoty)
agreement-plot-x = Průměr kliniky a hlášení (0–40)
agreement-plot-y = Hlášení − klinika

## Odvozené ukazatele ve /participant pro personál (docs/derived-measures.md). Odhady jsou označeny.

derived-none = <b>Odvozené ukazatele</b>: zatím žádné úplné hodnocení.
derived-header = <b>Odvozené ukazatele</b> z nejnovějšího úplného hodnocení ({ $source }, { $date })
derived-subscores = Dílčí skóre: bulbární { $bulbar }/12 · jemná motorika { $fine }/8 · hrubá motorika { $gross }/16 · dýchání { $respiratory }/4
derived-rate = Rychlost progrese ΔFS: { $rate } bodu za měsíc od začátku příznaků { $onset }, { $speed } (odhad: začátek znám na měsíc)
derived-rate-none = Rychlost progrese ΔFS: neznámá, měsíc začátku příznaků není zapsán (zadejte ho příkazem /onset).
derived-speed-slow = pomalá
derived-speed-intermediate = střední
derived-speed-fast = rychlá
derived-kings = Stadium podle King's: { $stage } (odhad převedený z ALSFRS-R)
derived-mitos = Stadium MiToS: { $stage } (odhad převedený z ALSFRS-R)

staff-usage-enroll-onset = Začátek příznaků je uplynulý měsíc: /enroll ID_ÚČASTNÍKA [en|cs] onset RRRR-MM, například /enroll S001 cs onset 2025-03.
