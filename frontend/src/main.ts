import './lib/locale' // first: it fixes navigator.language before any module formats with it
import { mount } from 'svelte'
import App from './App.svelte'
import { wailsAPI } from './lib/wails'
import './style.css'
import './ui.css'

mount(App, { target: document.getElementById('app')!, props: { api: wailsAPI } })
