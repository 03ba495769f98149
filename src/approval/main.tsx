// The approval window: shows one pending request and returns one decision.
import { render } from 'preact';
import { ApprovalForm } from './approval-form';

const approvalId = new URLSearchParams(location.search).get('approval') ?? '';
const app = document.getElementById('app');
if (app) render(<ApprovalForm approvalId={approvalId} />, app);
