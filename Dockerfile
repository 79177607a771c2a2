# The service image docker-compose.yml runs, built by `reward-service sandbox build --service`.
# FROM a locally debootstrapped base with python3 and no compiler (no registry is reachable);
# the project and its dependencies come as wheels built on the host, so nothing here needs a
# network.
FROM reward-service-base:bookworm
COPY wheels /tmp/wheels
# pip runs from its own wheel: the base has no pip, and gets none.
RUN python3 -m venv --without-pip /opt/reward \
    && pip_wheel=$(ls /tmp/wheels/pip-*.whl) \
    && /opt/reward/bin/python "$pip_wheel/pip" install --quiet --no-index \
        --find-links /tmp/wheels reward_service \
    && rm -rf /tmp/wheels
ENV PATH=/opt/reward/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# nobody: the scoring service needs no privilege (compose runs the sandbox service as root
# without capabilities, for the Docker socket).
USER 65534:65534
EXPOSE 8000
CMD ["reward-service", "serve", "--host", "0.0.0.0", "--port", "8000"]
