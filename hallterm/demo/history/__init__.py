"""A deterministic demo history: days of tickets, cases in every state and ratings.

Everything goes through the real services (tickets, applicants, cases, ratings), each at its
simulated moment, so the events, the numbers and every figure are as true as in a hall.  The
same ``seed`` gives the same history (numbers, times, choices; UUIDs differ).  A day is one
write transaction.

One module a concern: ``state`` (the simulation's clock, tallies and plans), ``people``
(names, ID numbers, applicants), ``stations`` (child stations and clerks), ``cases`` (the work
at the window and an accepted case's later course), ``certificates`` (the approver's decision
and the certificate it yields), ``feedback`` (ratings and rectifications), ``day`` (one day:
the queue simulation and the stations' cases) and ``driver`` (``generate_history``).
"""

from hallterm.demo.history.driver import INFO_KEY, generate_history
from hallterm.demo.history.state import HistoryInfo
from hallterm.demo.history.stations import DEMO_PASSWORD

__all__ = ["DEMO_PASSWORD", "INFO_KEY", "HistoryInfo", "generate_history"]
