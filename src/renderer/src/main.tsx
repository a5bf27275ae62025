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

createRoot(root).render(
  <StrictMode>
    <AppStoreProvider store={store}>
      <App />
    </AppStoreProvider>
  </StrictMode>,
);
