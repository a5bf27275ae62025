import { useAppStore } from '../store/AppStoreContext';
import { BatchScreen } from './BatchScreen';
import { BatchesScreen } from './BatchesScreen';
import { ClipScreen } from './ClipScreen';
import { AgreementScreen } from './AgreementScreen';
import { ErrorAlert } from './ErrorAlert';
import { ExportScreen } from './ExportScreen';
import { MyWorkScreen } from './MyWorkScreen';
import { ReviewScreen } from './ReviewScreen';
import { SyncIndicator, SyncSettingsScreen } from './SyncSettingsScreen';
import { TeamScreen } from './TeamScreen';

export function App() {
  const screen = useAppStore((state) => state.screen);
  // The clip screen is a full-window workspace with a bar of its own (sync state included); the
  // others are pages that scroll under the app's header.
  const workspace = screen.name === 'clip';
  return (
    <div className={workspace ? 'app app-workspace' : 'app'}>
      {!workspace && (
        <header className="app-header">
          <span className="app-name">Framewise</span>
          <SyncIndicator />
        </header>
      )}
      <main className="app-main">
        <ErrorAlert />
        {screen.name === 'batches' && <BatchesScreen />}
        {screen.name === 'batch' && <BatchScreen batchId={screen.batchId} />}
        {screen.name === 'clip' && <ClipScreen batchId={screen.batchId} clipId={screen.clipId} />}
        {screen.name === 'export' && <ExportScreen />}
        {screen.name === 'agreement' && <AgreementScreen />}
        {screen.name === 'team' && <TeamScreen />}
        {screen.name === 'sync' && <SyncSettingsScreen />}
        {screen.name === 'review' && <ReviewScreen />}
        {screen.name === 'work' && <MyWorkScreen />}
      </main>
    </div>
  );
}
