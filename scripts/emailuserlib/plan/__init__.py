"""Before anything is sent: the limits, the campaign, and the plan shown to the operator.

- :mod:`.budget`: the rate limits that apply, and how many sends each has left
- :mod:`.campaign`: the frozen campaign: who, what, as whom and under which limits
- :mod:`.build`: the campaign built once, and what must hold before
- :mod:`.show`: the plan and the preview of the first email
"""
