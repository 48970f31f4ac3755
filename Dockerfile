FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# The settings refuse to load without SECRET_KEY; these build steps sign nothing.
RUN SECRET_KEY=build python manage.py compilemessages -v0 && SECRET_KEY=build python manage.py collectstatic --no-input -v0
USER nobody
EXPOSE 8000
CMD ["gunicorn", "helpline.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
