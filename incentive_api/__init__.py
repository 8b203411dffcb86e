"""incentive-api: which clean-vessel incentive programs a port call qualifies for, and why."""

__version__ = "0.1.0"
