"""Money (layer 4): benefit days and their municipal share (`benefits`), the area's budget
against its frame (`budget`) and how a cost is shared between municipalities (`cost_sharing`).

May import `scenario`, `model` (records) and `tables`; never `experiments`, `report` or above.
"""
