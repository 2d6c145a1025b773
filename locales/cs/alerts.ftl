# Upozornění pro studijní tým: rámec kolem vlastní věty upozornění (klíče decline-* v safety.ftl
# a upozornění na příznaky), tlačítko Potvrdit a seznam /alerts.
# HTML je zde povoleno; kód escapuje všechny argumenty. Členové týmu jsou uvedeni číslem.

alert-title-urgent = 🚨 <b>NALÉHAVÉ upozornění č. { $id }</b>
alert-title-routine = <b>Upozornění č. { $id }</b>
alert-escalation = <b>ESKALACE { $round }</b>: toto upozornění zatím nikdo nepotvrdil.
alert-raised = Vzniklo { $when }.
alert-acknowledged = ✅ <b>Potvrdil(a)</b> člen týmu č. { $staff } dne { $when }.
# Prostý text: použije se, když tato verze nedokáže zobrazit vlastní zprávu upozornění.
alert-fallback = { $subject }: { $what }.

button-acknowledge = Potvrdit
alert-ack-done = Potvrzeno. Všechny kopie tohoto upozornění to nyní ukazují.
alert-ack-already = Už potvrdil(a) člen týmu č. { $staff } dne { $when }.
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
