"""The service on a Ray cluster: Ray Serve replicas of the same FastAPI app (`serve.ingress`).

Each replica is the whole service: its own scoring pool, sized to the CPUs Ray gives it
(`ray_actor_options`), and its own sandbox pool in its node's Docker daemon; the service keeps no
state between requests, so any replica can take any request. The FastAPI lifespan runs in each
replica, at its start and on a clean `serve.shutdown()`; a replica that is killed leaves its
sandbox containers to the next service that starts on its node (they are labelled with their
owner, and a replacement replica removes those of dead owners).

Two ways in, as Ray users expect:
    reward-service serve --ray --replicas 2 --replica-cpus 2        # starts or joins a cluster
    serve run reward_service.ray_serve:application replicas=2 replica_cpus=2

An optional extra (`pip install reward-service[ray]`): nothing else imports this module.
"""

from __future__ import annotations

import json
import signal
import threading
from typing import Any

from pydantic import BaseModel, Field, field_validator
from ray import serve
from ray.serve import Application

from reward_service.api.app import create_app
from reward_service.config import Settings

DEPLOYMENT = "reward_service"


class RayServeArgs(BaseModel):
    """The arguments of `application`, as `serve run ... key=value` passes them."""

    replicas: int = Field(1, ge=1, description="Replicas (ignored with autoscaling).")
    replica_cpus: float = Field(
        2.0, gt=0, description="CPUs per replica: its scoring processes and sandbox containers."
    )
    autoscaling: dict[str, Any] | None = Field(
        None,
        description="Ray Serve's autoscaling_config (min_replicas, max_replicas, "
        "target_ongoing_requests, ...), as a dict or JSON; replaces `replicas`.",
    )

    @field_validator("autoscaling", mode="before")
    @classmethod
    def _from_json(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


def application(args: RayServeArgs | dict[str, Any]) -> Application:
    """The builder for `serve run`: every setting but the replicas' comes from the `REWARD_*`
    environment, as for `reward-service serve`."""
    return deployment(RayServeArgs.model_validate(args), Settings())


def deployment(args: RayServeArgs, settings: Settings) -> Application:
    """The Serve application: each replica's scoring and sandbox pools sized to its CPUs."""
    cpus = max(1, int(args.replica_cpus))
    per_replica = settings.model_copy(
        update={
            "workers": settings.workers.model_copy(update={"processes": cpus}),
            "sandbox": settings.sandbox.model_copy(update={"pool_size": cpus}),
        }
    )
    app = create_app(per_replica)

    @serve.ingress(app)
    class RewardService:
        """One replica: the FastAPI app, whose lifespan holds its pools."""

    options: dict[str, Any] = {"ray_actor_options": {"num_cpus": args.replica_cpus}}
    if args.autoscaling:
        options["autoscaling_config"] = args.autoscaling
    else:
        options["num_replicas"] = args.replicas
    return serve.deployment(RewardService, name=DEPLOYMENT, **options).bind()


def run(args: RayServeArgs, settings: Settings, address: str | None) -> None:
    """Deploy on the cluster at `address` (none: a local one started here), serve HTTP on the
    settings' host and port through Serve's proxy until SIGINT or SIGTERM, then shut Serve and
    Ray down cleanly (each replica's lifespan stops its pools and removes its containers)."""
    import ray

    ray.init(address=address, include_dashboard=False)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        host, port = settings.server.host, settings.server.port
        serve.start(http_options={"host": host, "port": port})
        serve.run(deployment(args, settings), name=DEPLOYMENT, route_prefix="/")
        print(f"reward_service on Ray Serve: http://{host}:{port}", flush=True)
        stop.wait()
    finally:
        serve.shutdown()
        ray.shutdown()
