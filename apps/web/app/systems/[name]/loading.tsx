import { LoadingPanel } from '@/components/layout/loading-panel';

export default function Loading() {
  return <LoadingPanel />;
}
