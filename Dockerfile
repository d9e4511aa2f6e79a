# mockproxy as a container: the config comes from a mounted volume at /etc/mockproxy.
FROM python:3.12-slim

WORKDIR /opt/mockproxy
COPY pyproject.toml README.md ./
COPY proxy ./proxy
# proxy/bundled links to config/: the bundled config and sample spec ship in the package
COPY config ./config
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 mockproxy
COPY config /etc/mockproxy

USER mockproxy
ENV MOCKPROXY_HOST=0.0.0.0 \
    MOCKPROXY_PORT=8080 \
    MOCKPROXY_CONFIG=/etc/mockproxy/mockproxy.yaml \
    MOCKPROXY_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_mockproxy/health' % os.environ.get('MOCKPROXY_PORT', '8080'), timeout=2)"]
CMD ["mockproxy", "serve"]
