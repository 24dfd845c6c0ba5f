import { lazy, Suspense, type ComponentType } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useSession } from './session';
import { Shell } from './components/Shell';
import { Loading } from './components/States';
import { homeOf } from './roles';
import { LoginPage } from './pages/Login';
import { TasksPage } from './pages/Tasks';

/**
 * A screen loaded when first visited, inside Ant Design's root (antd-root.tsx, loaded with the
 * first such screen). The login and my-tasks screens come with the first load and use neither.
 */
function screen(load: () => Promise<{ default: ComponentType }>) {
  return lazy(async () => {
    const [{ default: Root }, { default: Page }] = await Promise.all([import('./antd-root'), load()]);
    return { default: () => <Root><Page /></Root> };
  });
}

const RegisterPage = screen(() => import('./pages/Register'));
const ApplicationsPage = screen(() => import('./pages/Applications'));
const ApplicationPage = screen(() => import('./pages/Application'));
const ApplyPage = screen(() => import('./pages/Apply'));
const LoansPage = screen(() => import('./pages/Loans'));
const LoanPage = screen(() => import('./pages/Loan'));
const ClaimsPage = screen(() => import('./pages/Claims'));
const ClaimPage = screen(() => import('./pages/Claim'));
const FundsPage = screen(() => import('./pages/Funds'));
const ReconciliationsPage = screen(() => import('./pages/Reconciliations'));
const PeriodsPage = screen(() => import('./pages/Periods'));
const ReportsPage = screen(() => import('./pages/Reports'));
const ForecastPage = screen(() => import('./pages/Forecast'));
const AuditPage = screen(() => import('./pages/Audit'));
const LedgerPage = screen(() => import('./pages/Ledger'));
const UsersPage = screen(() => import('./pages/admin/Users'));
const OrganisationsPage = screen(() => import('./pages/admin/Organisations'));
const PoliciesPage = screen(() => import('./pages/admin/Policies'));
const CertificatesPage = screen(() => import('./pages/Certificates'));
const TrainingPage = screen(() => import('./pages/Training'));
const IncubatorsPage = screen(() => import('./pages/Incubators'));

function Signed({ children }: { children: React.ReactNode }) {
  const { me, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <Shell>{children}</Shell>;
}

export function App() {
  const { me } = useSession();
  const signed = (el: React.ReactNode) => <Signed>{el}</Signed>;
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/register" element={<RegisterPage />} />
        <Route path="/" element={me ? <Navigate to={homeOf(me.role)} replace /> : signed(null)} />
        <Route path="/tasks" element={signed(<TasksPage />)} />
        <Route path="/applications" element={signed(<ApplicationsPage />)} />
        <Route path="/applications/:id" element={signed(<ApplicationPage />)} />
        <Route path="/apply" element={signed(<ApplyPage />)} />
        <Route path="/loans" element={signed(<LoansPage />)} />
        <Route path="/loans/:id" element={signed(<LoanPage />)} />
        <Route path="/claims" element={signed(<ClaimsPage />)} />
        <Route path="/claims/:id" element={signed(<ClaimPage />)} />
        <Route path="/funds" element={signed(<FundsPage />)} />
        <Route path="/reconciliations" element={signed(<ReconciliationsPage />)} />
        <Route path="/periods" element={signed(<PeriodsPage />)} />
        <Route path="/reports" element={signed(<ReportsPage />)} />
        <Route path="/forecast" element={signed(<ForecastPage />)} />
        <Route path="/audit" element={signed(<AuditPage />)} />
        <Route path="/ledger" element={signed(<LedgerPage />)} />
        <Route path="/certificates" element={signed(<CertificatesPage />)} />
        <Route path="/training-claims" element={signed(<TrainingPage />)} />
        <Route path="/incubators" element={signed(<IncubatorsPage />)} />
        <Route path="/admin/users" element={signed(<UsersPage />)} />
        <Route path="/admin/organisations" element={signed(<OrganisationsPage />)} />
        <Route path="/admin/policies" element={signed(<PoliciesPage />)} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </Suspense>
  );
}
