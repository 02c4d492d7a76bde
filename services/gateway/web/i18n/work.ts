// Console actions for ministry staff (proposals) and approvers (inbox): refusals and confirmations.
// Chinese is the official wording: change it only with the source it comes from. {name} marks a value filled in by the page.
import type { Messages } from './types';

export const workMessages = {
  'work.refused': { zh: '操作被拒绝', en: 'Refused' },
  'work.currentRevision': { zh: '当前修订', en: 'current revision' },
  'work.adjustmentProposals': { zh: '调整方案', en: 'Adjustment proposals' },
  'work.newAdjustmentProposal': { zh: '新建调整方案', en: 'New adjustment proposal' },
  'work.chooseAnItem': { zh: '请选择服务项目', en: 'Choose an item' },
  'work.saved': { zh: '已保存。', en: 'Saved.' },
  'work.submittedForApproval': { zh: '已提交审批。', en: 'Submitted for approval.' },
  'work.editProposal': { zh: '编辑调整方案', en: 'Edit proposal' },
  'work.done': { zh: '已完成。', en: 'Done.' },
} as const satisfies Messages;
