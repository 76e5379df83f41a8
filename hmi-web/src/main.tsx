import { render } from 'preact';
import { App } from './app.js';
import { AppModel } from './state/app.js';
import './styles.css';

const model = new AppModel();
model.start();
render(<App model={model} />, document.getElementById('app')!);
window.addEventListener('pagehide', () => model.close());
