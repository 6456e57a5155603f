"""A local engine cluster: several Camunda nodes sharing one throwaway PostgreSQL database, as
production runs them (each node its own port, every task the database's)::

    with LocalCluster(nodes=2) as cluster:
        cluster.nodes[0].deploy(Path("process.bpmn"))
        env = {"CAMUNDA_URL": cluster.camunda_url}     # "http://...:A/engine-rest,http://...:B/..."
        cluster.nodes[1].kill(); ...; cluster.nodes[1].start(cluster.nodes[1].port)
"""

from __future__ import annotations

from types import TracebackType

from worker.dev.local_engine import LocalEngine
from worker.dev.postgres import ThrowawayPostgres

__all__ = ["LocalCluster", "start_nodes"]

DATABASE = "camunda"


def start_nodes(
    count: int, env: dict[str, str], *, app_args: tuple[str, ...] = (), basic_auth: bool = False
) -> list[LocalEngine]:
    """``count`` Camunda nodes on the database ``env`` names (ENGINE_JDBC_URL, ...), started one
    after another: the first creates the schema, which nodes starting together would race to.
    Every node runs the job executor (jobs are the database's; nodes acquire them with
    optimistic locking) with the same history level, as a Camunda cluster must."""
    started: list[LocalEngine] = []
    try:
        for _ in range(count):
            started.append(LocalEngine(app_args=app_args, env=env).start(basic_auth=basic_auth))
    except BaseException:
        for engine in started:
            engine.stop()
        raise
    return started


class LocalCluster:
    """A throwaway PostgreSQL server and `nodes` engine nodes on it; `stop()` ends them all."""

    def __init__(self, nodes: int = 2, *, app_args: tuple[str, ...] = ()) -> None:
        self.size, self.app_args = nodes, app_args
        self.database = ThrowawayPostgres()
        self.nodes: list[LocalEngine] = []

    @property
    def camunda_url(self) -> str:
        """CAMUNDA_URL naming every node."""
        return ",".join(node.url for node in self.nodes)

    def start(self) -> LocalCluster:
        self.database.start()
        try:
            env = self.database.jdbc_env(self.database.create_database(DATABASE))
            self.nodes = start_nodes(self.size, env, app_args=self.app_args)
        except BaseException:
            self.database.stop()
            raise
        return self

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
        self.database.stop()

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
