# The local marketplace simulators (Amazon, eBay, Etsy) for the sandbox demo.
FROM python:3.12-slim
RUN pip install --no-cache-dir "openapi-core>=0.19" "jsonschema>=4.18" werkzeug requests httpx cryptography
COPY simulators /opt/simulators
ENV PYTHONPATH=/opt/simulators SIM_SPECS_DIR=/specs
