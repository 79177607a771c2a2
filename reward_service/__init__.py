"""reward_service: verifiable, rule-based rewards for RL of reasoning models, over HTTP."""

__version__ = "0.1.0"

from reward_service.api.app import create_app  # noqa: E402
from reward_service.client import AsyncRewardClient, RewardClient  # noqa: E402
from reward_service.config import Settings  # noqa: E402
from reward_service.extract import MathAnswer, extract_math_answer  # noqa: E402
from reward_service.rewards.combine import group_advantages, weighted_reward  # noqa: E402
from reward_service.rewards.math import MathOptions, Reference, parse_reference, score_math  # noqa: E402
from reward_service.scores import Reason, Score  # noqa: E402
from reward_service.workers import TaskFailure, WorkerPool  # noqa: E402

__all__ = [
    "__version__",
    "AsyncRewardClient",
    "create_app",
    "extract_math_answer",
    "group_advantages",
    "MathAnswer",
    "MathOptions",
    "parse_reference",
    "Reason",
    "Reference",
    "RewardClient",
    "Score",
    "score_math",
    "Settings",
    "TaskFailure",
    "weighted_reward",
    "WorkerPool",
]
