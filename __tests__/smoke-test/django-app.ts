import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  httpAnswers,
  randomPassword,
  removeDir,
  runTool,
  startProcess,
  tempDir,
  type ManagedProcess,
} from '../support/services/common.js';

/**
 * A real Django site with its admin (Debian's python3-django), for the session-login
 * smoke tests: a settings module and urls with the admin, a sqlite database migrated and
 * given a superuser, served by `runserver --noreload` on 127.0.0.1 and stopped by PID.
 */

// Debian's Python packages are installed for this interpreter, not whichever python3 is on PATH
const PYTHON = '/usr/bin/python3';

const SETTINGS = `
import os
SECRET_KEY = 'smoke-test-only-not-secret'
DEBUG = False
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
INSTALLED_APPS = [
    'django.contrib.admin', 'django.contrib.auth', 'django.contrib.contenttypes',
    'django.contrib.sessions', 'django.contrib.messages',
]
MIDDLEWARE = [
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    'django.contrib.messages.middleware.MessageMiddleware',
]
ROOT_URLCONF = 'smokeurls'
TEMPLATES = [{
    'BACKEND': 'django.template.backends.django.DjangoTemplates',
    'APP_DIRS': True,
    'OPTIONS': {'context_processors': [
        'django.template.context_processors.request',
        'django.contrib.auth.context_processors.auth',
        'django.contrib.messages.context_processors.messages',
    ]},
}]
DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': os.environ['SMOKE_DB']}}
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
USE_TZ = True
STATIC_URL = '/static/'
`;

const URLS = `
from django.contrib import admin
from django.urls import path

urlpatterns = [path('admin/', admin.site.urls)]
`;

export interface DjangoApp {
  url: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

export async function startDjango(): Promise<DjangoApp> {
  const dir = tempDir('smoke-django');
  writeFileSync(join(dir, 'smokesettings.py'), SETTINGS);
  writeFileSync(join(dir, 'smokeurls.py'), URLS);
  const username = 'smoke';
  const password = randomPassword();
  const env = {
    ...process.env,
    PYTHONPATH: dir,
    DJANGO_SETTINGS_MODULE: 'smokesettings',
    SMOKE_DB: join(dir, 'db.sqlite3'),
    PYTHONDONTWRITEBYTECODE: '1',
  };
  let server: ManagedProcess | undefined;
  try {
    await runTool(PYTHON, ['-m', 'django', 'migrate', '--noinput', '-v', '0'], { cwd: dir, env });
    // the password goes through the environment, never argv
    await runTool(
      PYTHON,
      [
        '-m',
        'django',
        'createsuperuser',
        '--noinput',
        '--username',
        username,
        '--email',
        'a@example.com',
      ],
      { cwd: dir, env: { ...env, DJANGO_SUPERUSER_PASSWORD: password } },
    );
    const port = await freePort();
    server = startProcess({
      name: 'django',
      command: PYTHON,
      args: ['-m', 'django', 'runserver', `127.0.0.1:${port}`, '--noreload'],
      logFile: join(dir, 'server.log'),
      cwd: dir,
      env,
      cleanupDir: dir,
    });
    const url = `http://127.0.0.1:${port}`;
    await server.waitReady(() => httpAnswers(`${url}/admin/login/`, [200]), 30_000, 'django');
    const running = server;
    return {
      url,
      username,
      password,
      stop: async () => {
        await running.stop();
        await removeDir(dir);
      },
    };
  } catch (err) {
    await server?.stop();
    await removeDir(dir);
    throw err;
  }
}
