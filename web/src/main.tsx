import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import './i18n';
import './styles.css';
import { ApiFailure } from './api/client';
import { SessionProvider } from './session';
import { App } from './App';
import { LocaleProvider } from './locale';
import { focusableScrollBoxes, nameListBoxes } from './lib/a11y';
import { prefetchTasks } from './pages/Tasks';

nameListBoxes();
focusableScrollBoxes();

const queries = new QueryClient({
  defaultOptions: {
    // A refusal (4xx) will not change on its own; only a failure that may heal is retried.
    queries: { retry: (n, e) => n < 2 && !(e instanceof ApiFailure && e.status >= 400 && e.status < 500), staleTime: 10_000 },
  },
});

prefetchTasks(queries);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <LocaleProvider>
        <BrowserRouter>
          <SessionProvider>
            <App />
          </SessionProvider>
        </BrowserRouter>
      </LocaleProvider>
    </QueryClientProvider>
  </StrictMode>,
);
