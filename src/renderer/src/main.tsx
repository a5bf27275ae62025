import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectApiClient } from './api/apiClient';
import { createAppStore } from './store/appStore';
import { AppStoreProvider } from './store/AppStoreContext';
import { App } from './screens/App';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');

const store = createAppStore(connectApiClient());
void store.getState().loadBatches();
// Reopens the clip, frame, zoom and track the annotator left; `?resume=0` opens on the batches.
if (new URLSearchParams(window.location.search).get('resume') !== '0') {
  void store.getState().restoreWorkspace();
}

createRoot(root).render(
  <StrictMode>
    <AppStoreProvider store={store}>
      <App />
    </AppStoreProvider>
  </StrictMode>,
);
