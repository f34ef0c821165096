import '../lib/styles/base.css';

import { mount } from 'svelte';

import { createApi } from '../lib/api';
import { tauriTransport } from '../lib/api/tauri';
import { currentLocale, languageTag } from '../lib/i18n';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

document.documentElement.lang = languageTag(currentLocale());

mount(App, { target, props: { api: createApi(tauriTransport()) } });
