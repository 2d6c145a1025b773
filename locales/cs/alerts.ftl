# Upozornění pro studijní tým: rámec kolem vlastní věty upozornění (klíče decline-* v safety.ftl
# a upozornění na příznaky), tlačítko Potvrdit a seznam /alerts.
# HTML je zde povoleno; kód escapuje všechny argumenty. Členové týmu jsou uvedeni číslem.

alert-title-urgent = 🚨 <b>NALÉHAVÉ upozornění č. { $id }</b>
alert-title-routine = <b>Upozornění č. { $id }</b>
alert-escalation = <b>ESKALACE { $round }</b>: toto upozornění zatím nikdo nepotvrdil.
alert-raised = Vzniklo { $when }.
alert-acknowledged = ✅ <b>Potvrdil(a)</b> { $staff } dne { $when }.
# Prostý text: použije se, když tato verze nedokáže zobrazit vlastní zprávu upozornění.
alert-fallback = { $subject }: { $what }.

button-acknowledge = Potvrdit
alert-ack-done = Potvrzeno. Všechny kopie tohoto upozornění to nyní ukazují.
alert-ack-already = Už potvrdil(a) { $staff } dne { $when }.
alert-unknown = Takové upozornění neexistuje.

## /alerts

alerts-empty = Žádná upozornění nečekají na potvrzení.
alerts-header = <b>Nepotvrzená upozornění</b>, naléhavá nahoře · strana { $page } z { $pages } (celkem { $count })
alerts-line-urgent = 🚨 <b>č. { $id } NALÉHAVÉ</b> · { $subject } · { $what } · { $when }
alerts-line-routine = č. { $id } · { $subject } · { $what } · { $when }
alerts-escalated = (znovu odesláno { $count ->
        [one] jednou
        [few] { $count }×
       *[other] { $count }×
    })
alerts-hint = „Otevřít N“ zobrazí celé upozornění č. N; „✓ N“ ho potvrdí.
button-open-alert = Otevřít { $id }
button-acknowledge-alert = ✓ { $id }
button-alerts-back = Zpět na seznam

## Krátké názvy toho, co upozornění vyvolalo, pro seznam.

alert-kind-decline = pokles
alert-kind-symptom = nežádoucí příznak
alert-rule-previous = pokles celkového skóre od předchozího hodnocení
alert-rule-baseline = pokles celkového skóre od výchozí hodnoty
alert-rule-slope = strmý pokles za { $days ->
        [one] poslední den
        [few] poslední { $days } dny
       *[other] posledních { $days } dní
    }
alert-rule-item = pokles položky
alert-rule-breathing = dýchání (položka 10)
alert-rule-swallowing = polykání (položka 3)
alert-symptom-headache = příznak: bolest hlavy
alert-symptom-injection-site = příznak: bolest, otok, zarudnutí nebo prosakování v místě vpichu (možná komplikace)
alert-symptom-meningism = příznak: ztuhlá šíje s horečkou nebo bolest očí ze světla (možné meningeální dráždění)
alert-symptom-leg-weakness = příznak: nová slabost nebo necitlivost nohou
alert-symptom-bladder = příznak: nová ztráta kontroly nad močovým měchýřem (možný nový neurologický deficit)
alert-symptom-breathing = příznak: výrazně ztížené dýchání
alert-symptom-fever = příznak: horečka nebo zimnice
alert-symptom-neck-arm = příznak: bolest krku nebo paží, brnění
alert-symptom-urination = příznak: pálení nebo časté močení (možná cystitida)
alert-symptom-sweating = příznak: neobvykle silné pocení (možná hyperhidróza)
alert-symptom-other = příznak: jiná nežádoucí událost

downtime-notice = Studijní bot neběžel od { $start } do { $end }. Připomínky a upozornění, které mezitím nastaly, se nyní odesílají.

## Issue 11: jedno upozornění za událost, trvající stav, co bylo uděláno, zobrazovaná jména.

# Člen týmu, který si nezvolil zobrazované jméno (/name).
alert-staff-number = člen týmu č. { $id }
alert-still-met = Stále splněno dne { $date }: { $total }.
alert-still-reported = Znovu hlášeno dne { $date }, závažnost { $severity }.
alert-ack-action = Provedeno: { $action }.
alert-ack-note = Poznámka: „{ $note }“
alert-action-called = účastníkovi jsme volali
alert-action-visit = domluvena návštěva na klinice
alert-action-none = není třeba nic dělat
alert-action-other = jiné
alert-action-title = <b>Potvrzení č. { $id }</b>
alert-choose-action = Co bylo uděláno? Voláno: účastníkovi jsme volali. Návštěva: domluvena návštěva na klinice. Nic: není třeba nic dělat. Jiné: něco jiného (pak pošlete /note a pár slov).
button-action-called = Voláno
button-action-visit = Návštěva
button-action-none = Nic
button-action-other = Jiné…
alert-note-ask = Potvrzeno. Pošlete /note a pár slov o tom, co bylo uděláno, například: /note nechala jsem vzkaz
alert-ack-bulk-done = { $count ->
        [one] Potvrzeno 1 upozornění.
       *[other] Potvrzeno upozornění: { $count }.
    }
alerts-participant-header = <b>Otevřená upozornění účastníka { $subject }</b> ({ $count })
alerts-participant-none = { $subject } nemá žádná otevřená upozornění.
note-usage = Po potvrzení upozornění volbou „Jiné“ pošlete /note a pár slov (nejvýše { $max } znaků).
note-saved = Poznámka uložena (počet upozornění: { $count }).
note-nothing = Žádné upozornění potvrzené volbou „Jiné“ nečeká na poznámku.
name-usage = Pošlete /name a jméno, které mají kolegové vidět u upozornění (nejvýše { $max } znaků), například: /name Dana N.
name-set = Kolegové vás nyní u upozornění vidí jako { $name }.

## Issue 16: the on-call e-mail. E-mail is not a secure channel: nothing clinical, only the
## pseudonymous study ID, the alert's number and when it was raised.

email-alert-subject = { $study }: naléhavé upozornění č. { $number } ({ $subject })
email-alert-body =
    Naléhavé upozornění č. { $number } k účastníkovi { $subject } vzniklo { $time } a nikdo je zatím nepotvrdil.

    Otevřete Telegram, kde je uvidíte a můžete je potvrdit.

    Tento e-mail posílá studijní bot na adresu pohotovosti; nic dalšího neobsahuje.
email-downtime-subject = { $study }: studijní bot neběžel
