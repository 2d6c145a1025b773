# Nežádoucí příznaky (dotaz po hodnocení) a upozornění pro studijní tým z pravidel poklesu.
# Významy odpovídají shared/reference/alsfrs.md; kontrolujte souběžně s en/safety.ftl.
# Prostý text bez HTML. Bot nedává žádné lékařské rady kromě „zavolejte hned do studijního centra“.

## Dotaz na příznaky. „-proxy“ je znění pro pečujícího, který odpovídá za pacienta.

symptoms-question = Objevil se u vás od minula nějaký nový příznak?
symptoms-question-proxy = Objevil se od minula u člověka, o kterého pečujete, nějaký nový příznak?
symptoms-none = Žádný

symptom-headache = Bolest hlavy
symptom-headache-proxy = Bolest hlavy
symptom-headache-short = Bolest hlavy
symptom-injection-site = Bolest, otok, zarudnutí nebo vytékání tekutiny v místě vpichu v kříži
symptom-injection-site-proxy = Bolest, otok, zarudnutí nebo vytékání tekutiny v místě vpichu v kříži
symptom-injection-site-short = Místo vpichu
symptom-meningism = Ztuhlá šíje s horečkou, nebo světlo bolí v očích
symptom-meningism-proxy = Ztuhlá šíje s horečkou, nebo světlo bolí v očích
symptom-meningism-short = Ztuhlá šíje, horečka
symptom-leg-weakness = Nová slabost nebo necitlivost nohou
symptom-leg-weakness-proxy = Nová slabost nebo necitlivost nohou
symptom-leg-weakness-short = Slabé nohy
symptom-bladder = Nová ztráta kontroly nad močovým měchýřem
symptom-bladder-proxy = Nová ztráta kontroly nad močovým měchýřem
symptom-bladder-short = Únik moči
symptom-breathing = Dýchání je mnohem těžší než obvykle
symptom-breathing-proxy = Dýchání je mnohem těžší než obvykle
symptom-breathing-short = Těžší dýchání
symptom-fever = Horečka nebo zimnice
symptom-fever-proxy = Horečka nebo zimnice
symptom-fever-short = Horečka, zimnice
symptom-neck-arm = Bolest krku, nebo bolest či brnění vystřelující do paží
symptom-neck-arm-proxy = Bolest krku, nebo bolest či brnění vystřelující do paží
symptom-neck-arm-short = Bolest krku, paží
symptom-urination = Pálení při močení nebo časté močení
symptom-urination-proxy = Pálení při močení nebo časté močení
symptom-urination-short = Potíže s močením
symptom-sweating = Neobvykle silné pocení
symptom-sweating-proxy = Neobvykle silné pocení
symptom-sweating-short = Silné pocení
symptom-other = Něco jiného
symptom-other-proxy = Něco jiného
symptom-other-short = Něco jiného

symptom-other-prompt = Popište to prosím několika slovy (nejvýše { $max } { $max ->
        [one] znak
        [few] znaky
       *[other] znaků
    }).
symptom-other-empty = Popište to prosím slovy: tato zpráva neobsahuje žádný viditelný text.
symptom-other-too-long = Text je příliš dlouhý. Zkraťte ho prosím nejvýše na { $max } { $max ->
        [one] znak
        [few] znaky
       *[other] znaků
    }.

## Závažnost podle protokolu: 1 mírný, 2 středně těžký, 3 těžký.

severity-question = Jak silný je tento příznak? Klepněte na slovo, které nejlépe odpovídá:
severity-1 = Mírný
severity-1-explanation = Je znát, ale neomezuje běžný denní život.
severity-2 = Středně těžký
severity-2-explanation = Omezuje některé běžné denní činnosti.
severity-3 = Těžký
severity-3-explanation = Znemožňuje běžné denní činnosti, nebo je kvůli němu potřeba pomoc.

## Po odpovědi.

symptoms-saved = Děkujeme. Vaše odpověď je uložena pro studijní tým.
urgent-call-site =
    Zavolejte prosím hned teď do studijního centra: { $phone }.
    Jde-li o naléhavý stav, volejte záchrannou službu: { $emergency }.
urgent-call-site-no-phone =
    Obraťte se prosím hned teď na studijní centrum.
    Jde-li o naléhavý stav, volejte záchrannou službu: { $emergency }.
emergency-number-one = { $first }
emergency-number-two = { $first } (nebo { $second })

## Upozornění pro studijní tým z pravidel poklesu. Kód doplní $subject (pseudonymní ID ve studii);
## data jsou ve tvaru RRRR-MM-DD. Položky mají hodnoty 4 (normální) až 0; celkové skóre 0–40.

decline-previous = { $subject }: celkové skóre kleslo od předchozího odeslaného hodnocení o { $fall ->
        [one] 1 bod
        [few] { $fall } body
       *[other] { $fall } bodů
    } ({ $old_total } dne { $old_date } → { $new_total } dne { $new_date }).
decline-baseline = { $subject }: celkové skóre kleslo od výchozí hodnoty o { $fall ->
        [one] 1 bod
        [few] { $fall } body
       *[other] { $fall } bodů
    } ({ $old_total } dne { $old_date } → { $new_total } dne { $new_date }).
decline-slope = { $subject }: celkové skóre klesá o { $rate } { $rate ->
        [one] bod
        [few] body
        [many] bodu
       *[other] bodů
    } za měsíc za { $days ->
        [one] poslední den
        [few] poslední { $days } dny
       *[other] posledních { $days } dní
    } (sklon metodou nejmenších čtverců, počet odeslaných hodnocení: { $count }; { $old_total } dne { $old_date } → { $new_total } dne { $new_date }); limit pro upozornění je { $limit } { $limit ->
        [one] bod
        [few] body
        [many] bodu
       *[other] bodů
    } za měsíc.
decline-item = { $subject }: položka { $item } ({ $item_slug ->
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
    }) klesla od předchozího odeslaného hodnocení o { $fall ->
        [one] 1 bod
        [few] { $fall } body
       *[other] { $fall } bodů
    } ({ $old_score } dne { $old_date } → { $new_score } dne { $new_date }).
decline-breathing-fall = { $subject }: dýchání (položka 10) kleslo od předchozího odeslaného hodnocení o { $fall ->
        [one] 1 bod
        [few] { $fall } body
       *[other] { $fall } bodů
    } ({ $old_score } dne { $old_date } → { $new_score } dne { $new_date }: { $new_score ->
        [4] { item-breathing-level-4 }
        [3] { item-breathing-level-3 }
        [2] { item-breathing-level-2 }
        [1] { item-breathing-level-1 }
        [0] { item-breathing-level-0 }
       *[other] { $new_score }
    }).
decline-breathing-low = { $subject }: dýchání (položka 10) mělo dne { $new_date } hodnotu { $new_score } ({ $new_score ->
        [4] { item-breathing-level-4 }
        [3] { item-breathing-level-3 }
        [2] { item-breathing-level-2 }
        [1] { item-breathing-level-1 }
        [0] { item-breathing-level-0 }
       *[other] { $new_score }
    }), tedy na limitu pro upozornění { $limit } nebo pod ním.
decline-swallowing = { $subject }: polykání (položka 3) kleslo na { $limit } nebo méně ({ $old_score } dne { $old_date } → { $new_score } dne { $new_date }: { $new_score ->
        [4] { item-swallowing-level-4 }
        [3] { item-swallowing-level-3 }
        [2] { item-swallowing-level-2 }
        [1] { item-swallowing-level-1 }
        [0] { item-swallowing-level-0 }
       *[other] { $new_score }
    }).

## Otázka na příznaky na obrazovce.

symptoms-header = <b>Nové příznaky</b>
symptoms-hint = Klepněte na každý příznak, který se objevil, a pak na Hotovo. Pokud nic nového není, klepněte na Žádný.
symptoms-hint-standalone = Klepněte na každý příznak, který se objevil, a uveďte, jak je silný; pak klepněte na Hotovo.
severity-line = <b>{ $name }</b>: { $explanation }
severity-button = { $name }
symptom-line = <b>{ $short }</b>: { $text }
symptom-with-severity = { $name } ({ $severity })
button-remove-symptom = Odebrat tento příznak
button-symptoms-done = Hotovo
button-cancel = Zrušit
review-symptoms-none = Nové příznaky: žádné.
review-symptoms = Nové příznaky: { $list }.
symptoms-cancelled = Dobře, nic nebylo nahlášeno.
symptoms-open-assessment = Příznaky lze nahlásit i na konci rozpracovaného hodnocení. Zde je samostatné hlášení:

## Upozornění pro tým na nahlášené příznaky. Argumenty: $subject, $date (RRRR-MM-DD),
## $severity (1-3); „něco jiného“ má navíc $text (slova respondenta, zobrazená escapovaně).

alert-severity = závažnost { $severity } ({ $severity ->
        [1] mírná
        [2] středně těžká
       *[3] těžká
    })
symptom-alert-headache = { $subject }: bolest hlavy nahlášena { $date }, { alert-severity }.
symptom-alert-injection-site = { $subject }: bolest, otok, zarudnutí nebo prosakování v místě vpichu nahlášeno { $date }, { alert-severity } (komplikace v místě aplikace).
symptom-alert-meningism = { $subject }: ztuhlá šíje s horečkou nebo bolest očí ze světla nahlášeny { $date }, { alert-severity } (možný meningeální syndrom).
symptom-alert-leg-weakness = { $subject }: nová slabost nebo necitlivost nohou nahlášena { $date }, { alert-severity } (možný nový neurologický deficit).
symptom-alert-bladder = { $subject }: nová ztráta kontroly nad močovým měchýřem nahlášena { $date }, { alert-severity } (možný nový neurologický deficit).
symptom-alert-breathing = { $subject }: mnohem těžší dýchání než obvykle nahlášeno { $date }, { alert-severity } (možné respirační selhání).
symptom-alert-fever = { $subject }: horečka nebo zimnice nahlášeny { $date }, { alert-severity } (možná infekce).
symptom-alert-neck-arm = { $subject }: bolest krku nebo bolest či brnění do paží nahlášeny { $date }, { alert-severity } (možná stenóza krční páteře).
symptom-alert-urination = { $subject }: pálení nebo časté močení nahlášeno { $date }, { alert-severity } (možná cystitida).
symptom-alert-sweating = { $subject }: neobvykle silné pocení nahlášeno { $date }, { alert-severity } (hyperhidróza).
symptom-alert-other = { $subject }: jiný příznak nahlášen { $date }, { alert-severity }: „{ $text }“.

## Pravidla celkového skóre při změně varianty položky 5 (5a bez gastrostomie, 5b s ní):
## porovnávají se součty ostatních devíti položek.
decline-item5-left-out = Položka 5 není v těchto součtech započítána: jednou byla zodpovězena jako 5a (bez gastrostomie) a jednou jako 5b (s gastrostomií), což jsou odlišné otázky.
decline-previous-switch = { decline-previous } { decline-item5-left-out }
decline-baseline-switch = { decline-baseline } { decline-item5-left-out }
decline-slope-switch = { decline-slope } { decline-item5-left-out }
