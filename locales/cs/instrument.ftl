# Původní škála ALSFRS (1996): deset položek, každá 4 (normální) až 0.
# Texty úrovní zachovávají klinický význam z shared/reference/alsfrs.md; jsou neutrální, takže
# platí, ať odpovídá pacient, nebo pečující. Kontrolujte vedle en/instrument.ftl.

item-speech-name = Řeč
item-speech-question = Jaká je vaše řeč?
item-speech-question-proxy = Jaká je řeč člověka, o kterého pečujete?
item-speech-level-4 = Normální řeč
item-speech-level-3 = Znatelná porucha řeči
item-speech-level-2 = Srozumitelná jen při opakování
item-speech-level-1 = Řeč doplněná neverbální komunikací
item-speech-level-0 = Žádná použitelná řeč

item-salivation-name = Slinění
item-salivation-question = Jak je to se slinami ve vašich ústech? Vytékají vám sliny?
item-salivation-question-proxy = Jak je to se slinami v ústech člověka, o kterého pečujete? Vytékají mu sliny?
item-salivation-level-4 = Normální
item-salivation-level-3 = Mírný, ale zřetelný nadbytek slin v ústech; v noci mohou sliny vytékat
item-salivation-level-2 = Středně nadměrné množství slin; sliny mohou mírně vytékat
item-salivation-level-1 = Výrazný nadbytek slin, sliny občas vytékají
item-salivation-level-0 = Sliny výrazně vytékají; je stále potřeba kapesník nebo ubrousek

item-swallowing-name = Polykání
item-swallowing-question = Jak jíte a polykáte?
item-swallowing-question-proxy = Jak jí a polyká člověk, o kterého pečujete?
item-swallowing-level-4 = Normální stravovací návyky
item-swallowing-level-3 = Počáteční potíže s jídlem, občasné zakuckání
item-swallowing-level-2 = Je nutná změna konzistence stravy
item-swallowing-level-1 = Je nutná doplňková výživa sondou
item-swallowing-level-0 = Nic ústy (jen výživa sondou nebo do žíly)

item-handwriting-name = Psaní rukou
item-handwriting-question = Jak píšete dominantní rukou (tou, kterou obvykle píšete)?
item-handwriting-question-proxy = Jak píše člověk, o kterého pečujete, dominantní rukou (tou, kterou obvykle píše)?
item-handwriting-level-4 = Normální
item-handwriting-level-3 = Pomalé nebo neúhledné; všechna slova čitelná
item-handwriting-level-2 = Ne všechna slova jsou čitelná
item-handwriting-level-1 = Pero udrží, ale psát nedokáže
item-handwriting-level-0 = Pero neudrží

item-cutting-name = Krájení jídla a zacházení s příborem
item-cutting-question = Jak zvládáte krájet jídlo a zacházet s nožem, vidličkou a lžící?
item-cutting-question-proxy = Jak zvládá člověk, o kterého pečujete, krájet jídlo a zacházet s nožem, vidličkou a lžící?
item-cutting-level-4 = Normální
item-cutting-level-3 = Poněkud pomalé a neobratné, ale bez pomoci
item-cutting-level-2 = Většinu jídel nakrájí, pomalu a neobratně, potřebuje částečnou pomoc
item-cutting-level-1 = Jídlo musí nakrájet někdo jiný, ale jíst ještě zvládá pomalu sám
item-cutting-level-0 = Musí být krmen

item-cutting-tube-name = Zacházení s pomůckami pro výživu sondou
item-cutting-tube-question = Se sondou se tato otázka týká pomůcek pro výživu sondou: jak s nimi zvládáte sami zacházet?
item-cutting-tube-question-proxy = Se sondou se tato otázka týká pomůcek pro výživu sondou: jak s nimi zvládá zacházet člověk, o kterého pečujete?
item-cutting-tube-level-4 = Normální
item-cutting-tube-level-3 = Neobratně, ale všechny úkony zvládne sám
item-cutting-tube-level-2 = Potřebuje částečnou pomoc s uzávěry a spojkami
item-cutting-tube-level-1 = Pečujícímu poskytne jen minimální pomoc
item-cutting-tube-level-0 = Nezvládne žádnou část úkonu

item-dressing-name = Oblékání a hygiena
item-dressing-question = Jak zvládáte oblékání a osobní hygienu?
item-dressing-question-proxy = Jak zvládá oblékání a osobní hygienu člověk, o kterého pečujete?
item-dressing-level-4 = Normální funkce
item-dressing-level-3 = Samostatná, úplná péče o sebe, ale s námahou nebo méně účinně
item-dressing-level-2 = Občasná pomoc nebo náhradní postupy
item-dressing-level-1 = Potřebuje pomocníka pro péči o sebe
item-dressing-level-0 = Úplná závislost na druhých

item-turning-name = Otáčení v posteli a úprava přikrývek
item-turning-question = Jak zvládáte otáčení v posteli a úpravu přikrývek?
item-turning-question-proxy = Jak zvládá otáčení v posteli a úpravu přikrývek člověk, o kterého pečujete?
item-turning-level-4 = Normální
item-turning-level-3 = Poněkud pomalé a neobratné, ale bez pomoci
item-turning-level-2 = Otočí se nebo upraví přikrývky sám, ale s velkými obtížemi
item-turning-level-1 = Pohyb začne, ale sám se neotočí ani přikrývky neupraví
item-turning-level-0 = Bezmocnost

item-walking-name = Chůze
item-walking-question = Jak chodíte?
item-walking-question-proxy = Jak chodí člověk, o kterého pečujete?
item-walking-level-4 = Normální
item-walking-level-3 = Počáteční potíže s chůzí
item-walking-level-2 = Chodí s pomocí
item-walking-level-1 = Nechodí; jen funkční pohyb bez chůze
item-walking-level-0 = Žádný účelný pohyb nohou

item-stairs-name = Chůze do schodů
item-stairs-question = Jak zvládáte chůzi do schodů?
item-stairs-question-proxy = Jak zvládá chůzi do schodů člověk, o kterého pečujete?
item-stairs-level-4 = Normální
item-stairs-level-3 = Pomalu
item-stairs-level-2 = Mírná nejistota nebo únava
item-stairs-level-1 = Potřebuje pomoc
item-stairs-level-0 = Nezvládne

item-breathing-name = Dýchání
item-breathing-question = Jak dýcháte?
item-breathing-question-proxy = Jak dýchá člověk, o kterého pečujete?
item-breathing-level-4 = Normální
item-breathing-level-3 = Dušnost při minimální námaze (například při chůzi nebo mluvení)
item-breathing-level-2 = Dušnost v klidu
item-breathing-level-1 = Občasná pomoc dýchacího přístroje (například v noci)
item-breathing-level-0 = Závislost na dýchacím přístroji (ventilátoru)
