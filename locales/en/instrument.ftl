# The original ALSFRS (1996): ten items, each 4 (normal) down to 0.
# Level texts keep the clinical meanings of shared/reference/alsfrs.md; they are neutral, so they
# read the same whether the patient or a caregiver answers. Review side by side with cs/instrument.ftl.

item-speech-name = Speech
item-speech-question = How is your speech?
item-speech-question-proxy = How is the speech of the person you care for?
item-speech-level-4 = Normal speech
item-speech-level-3 = Detectable speech disturbance
item-speech-level-2 = Understood only with repeating
item-speech-level-1 = Speech combined with non-vocal communication
item-speech-level-0 = No useful speech

item-salivation-name = Salivation
item-salivation-question = How is the saliva in your mouth? Do you drool?
item-salivation-question-proxy = How is the saliva in the mouth of the person you care for? Do they drool?
item-salivation-level-4 = Normal
item-salivation-level-3 = Slight but definite excess of saliva in the mouth; may drool at night
item-salivation-level-2 = Moderately excessive saliva; may have minimal drooling
item-salivation-level-1 = Marked excess of saliva with some drooling
item-salivation-level-0 = Marked drooling; needs a tissue or handkerchief all the time

item-swallowing-name = Swallowing
item-swallowing-question = How do you eat and swallow?
item-swallowing-question-proxy = How does the person you care for eat and swallow?
item-swallowing-level-4 = Normal eating habits
item-swallowing-level-3 = Early eating problems, occasional choking
item-swallowing-level-2 = Changes in food consistency needed
item-swallowing-level-1 = Needs supplemental tube feeding
item-swallowing-level-0 = Nothing by mouth (only tube feeding or feeding into a vein)

item-handwriting-name = Handwriting
item-handwriting-question = How is your handwriting with your dominant hand (the hand you usually write with)?
item-handwriting-question-proxy = How is the handwriting of the person you care for, with their dominant hand (the hand they usually write with)?
item-handwriting-level-4 = Normal
item-handwriting-level-3 = Slow or sloppy; all words legible
item-handwriting-level-2 = Not all words legible
item-handwriting-level-1 = Able to grip a pen but unable to write
item-handwriting-level-0 = Unable to grip a pen

item-cutting-name = Cutting food and handling utensils
item-cutting-question = How well can you cut food and handle a knife, fork and spoon?
item-cutting-question-proxy = How well can the person you care for cut food and handle a knife, fork and spoon?
item-cutting-level-4 = Normal
item-cutting-level-3 = Somewhat slow and clumsy, but no help needed
item-cutting-level-2 = Can cut most foods, slow and clumsy, some help needed
item-cutting-level-1 = Food must be cut by someone, can still feed slowly
item-cutting-level-0 = Needs to be fed

item-cutting-tube-name = Handling the tube-feeding equipment
item-cutting-tube-question = With a feeding tube, this question is about the tube-feeding equipment: how well can you handle it yourself?
item-cutting-tube-question-proxy = With a feeding tube, this question is about the tube-feeding equipment: how well can the person you care for handle it?
item-cutting-tube-level-4 = Normal
item-cutting-tube-level-3 = Clumsy, but able to perform all manipulations alone
item-cutting-tube-level-2 = Some help needed with closures and fasteners
item-cutting-tube-level-1 = Provides minimal help to the caregiver
item-cutting-tube-level-0 = Unable to perform any part of the task

item-dressing-name = Dressing and hygiene
item-dressing-question = How do you manage dressing and personal hygiene?
item-dressing-question-proxy = How does the person you care for manage dressing and personal hygiene?
item-dressing-level-4 = Normal function
item-dressing-level-3 = Independent, complete self-care with effort or reduced efficiency
item-dressing-level-2 = Intermittent assistance or substitute methods
item-dressing-level-1 = Needs an attendant for self-care
item-dressing-level-0 = Total dependence

item-turning-name = Turning in bed and adjusting bed clothes
item-turning-question = How do you manage turning in bed and adjusting the bed clothes?
item-turning-question-proxy = How does the person you care for manage turning in bed and adjusting the bed clothes?
item-turning-level-4 = Normal
item-turning-level-3 = Somewhat slow and clumsy, but no help needed
item-turning-level-2 = Can turn alone or adjust sheets, but with great difficulty
item-turning-level-1 = Can start to turn, but cannot turn or adjust sheets alone
item-turning-level-0 = Helpless

item-walking-name = Walking
item-walking-question = How is your walking?
item-walking-question-proxy = How is the walking of the person you care for?
item-walking-level-4 = Normal
item-walking-level-3 = Early walking difficulties
item-walking-level-2 = Walks with assistance
item-walking-level-1 = Cannot walk; functional movement only (non-ambulatory)
item-walking-level-0 = No purposeful leg movement

item-stairs-name = Climbing stairs
item-stairs-question = How do you manage climbing stairs?
item-stairs-question-proxy = How does the person you care for manage climbing stairs?
item-stairs-level-4 = Normal
item-stairs-level-3 = Slow
item-stairs-level-2 = Mild unsteadiness or fatigue
item-stairs-level-1 = Needs assistance
item-stairs-level-0 = Cannot do

item-breathing-name = Breathing
item-breathing-question = How is your breathing?
item-breathing-question-proxy = How is the breathing of the person you care for?
item-breathing-level-4 = Normal
item-breathing-level-3 = Short of breath with minimal exertion (for example walking, talking)
item-breathing-level-2 = Short of breath at rest
item-breathing-level-1 = Intermittent help from a breathing machine (for example at night)
item-breathing-level-0 = Dependent on a ventilator
