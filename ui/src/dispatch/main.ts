import '../lib/styles/base.css';

import { mount } from 'svelte';

import { createDispatchApi } from '../lib/api/headoffice';
import { HttpClient } from '../lib/api/http';
import { currentLocale, languageTag } from '../lib/i18n';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('dispatch.html has no #app element');

document.documentElement.lang = languageTag(currentLocale());

mount(App, { target, props: { api: createDispatchApi(new HttpClient()) } });
