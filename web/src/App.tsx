import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useSession } from './session';
import { Shell } from './components/Shell';
import { Loading } from './components/States';
import { homeOf } from './roles';
import { LoginPage } from './pages/Login';
import { TasksPage } from './pages/Tasks';

// The login and my-tasks screens come with the first load; every other screen is its own chunk.
const RegisterPage = lazy(() => import('./pages/Register'));
const ApplicationsPage = lazy(() => import('./pages/Applications'));
const ApplicationPage = lazy(() => import('./pages/Application'));
const ApplyPage = lazy(() => import('./pages/Apply'));
const LoansPage = lazy(() => import('./pages/Loans'));
const LoanPage = lazy(() => import('./pages/Loan'));
const ClaimsPage = lazy(() => import('./pages/Claims'));
const ClaimPage = lazy(() => import('./pages/Claim'));
const FundsPage = lazy(() => import('./pages/Funds'));
const ReconciliationsPage = lazy(() => import('./pages/Reconciliations'));
const PeriodsPage = lazy(() => import('./pages/Periods'));
const ReportsPage = lazy(() => import('./pages/Reports'));
const AuditPage = lazy(() => import('./pages/Audit'));
const LedgerPage = lazy(() => import('./pages/Ledger'));
const UsersPage = lazy(() => import('./pages/admin/Users'));
const OrganisationsPage = lazy(() => import('./pages/admin/Organisations'));
const PoliciesPage = lazy(() => import('./pages/admin/Policies'));

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
        <Route path="/audit" element={signed(<AuditPage />)} />
        <Route path="/ledger" element={signed(<LedgerPage />)} />
        <Route path="/admin/users" element={signed(<UsersPage />)} />
        <Route path="/admin/organisations" element={signed(<OrganisationsPage />)} />
        <Route path="/admin/policies" element={signed(<PoliciesPage />)} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </Suspense>
  );
}
