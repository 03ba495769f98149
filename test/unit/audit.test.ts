import { describe, expect, it } from 'vitest';
import { auditVerdict } from '../../scripts/audit.mjs';

const report = (counts: Record<string, number>) =>
  JSON.stringify({ auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0, ...counts } } });

describe('npm audit verdict', () => {
  it('passes a report without high or critical advisories', () => {
    expect(auditVerdict(report({ moderate: 2, total: 2 })).verdict).toBe('clean');
  });

  it('fails on a high or a critical advisory', () => {
    expect(auditVerdict(report({ high: 1, total: 1 })).verdict).toBe('vulnerable');
    expect(auditVerdict(report({ critical: 1, total: 1 })).verdict).toBe('vulnerable');
  });

  it('calls a refused audit endpoint unavailable, never clean', () => {
    const refused = JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405, error: { summary: '', detail: '' } });
    expect(auditVerdict(refused)).toEqual({ verdict: 'unavailable', reason: expect.stringContaining('405') });
    expect(auditVerdict('').verdict).toBe('unavailable');
  });
});
