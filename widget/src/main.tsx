import { render } from 'preact'
import { App } from './app.tsx'
import { readParams } from './host.ts'
import './styles.css'

const root = document.getElementById('app')
if (root) {
  root.className = ''
  root.textContent = ''
  render(<App params={readParams(new URL(window.location.href))} />, root)
}
