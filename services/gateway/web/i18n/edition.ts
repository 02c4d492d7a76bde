// Edition import pages (导入标准版本).
// Chinese is the official wording: change it only with the source it comes from. {name} marks a value filled in by the page.
import type { Messages } from './types';

export const editionMessages = {
  'edition.uploadAnOfficialEdition': {
    zh: '上传官方发布的标准版本（CSV、XLSX 或 JSON，每行一个服务项目的六个要素），先逐行校验并与现行标准比对；提交后生成承载该版本的调整方案草稿，经审批后才发布。',
    en: 'Upload an official edition (CSV, XLSX or JSON, one service item with its six attributes per row): every row is checked and compared with the standard in force; submitting drafts the adjustment proposal that carries it, published only once approved.',
  },
  'edition.templateInfraTemplatesEdition': { zh: '模板：infra/templates/edition-template.csv', en: 'Template: infra/templates/edition-template.csv' },
  'edition.editionFile': { zh: '版本文件', en: 'Edition file' },
  'edition.documentNumber': { zh: '文号', en: 'Document number' },
  'edition.documentDate': { zh: '印发日期', en: 'Document date' },
  'edition.title': { zh: '版本名称', en: 'Title' },
  'edition.effectiveFromDefaultDocument': { zh: '施行日期（默认印发日期）', en: 'Effective from (default: document date)' },
  'edition.onlyItemsThisUnit': { zh: '只导入本单位牵头的项目（单位代码）', en: 'Only items this unit leads (code)' },
  'edition.onlyItemsOfThis': { zh: '只导入该领域的项目（领域代码）', en: 'Only items of this field (code)' },
  'edition.checkAndPreview': { zh: '校验并预览', en: 'Check and preview' },
  'edition.rowReport': { zh: '逐行校验', en: 'Row report' },
  'edition.rows': { zh: '行', en: 'rows' },
  'edition.everyRowIsValid': { zh: '全部通过', en: 'every row is valid' },
  'edition.problemS': { zh: '个问题', en: 'problem(s)' },
  'edition.row': { zh: '行', en: 'Row' },
  'edition.column': { zh: '列', en: 'Column' },
  'edition.problem': { zh: '问题', en: 'Problem' },
  'edition.againstTheStandardIn': { zh: '与现行标准比对', en: 'Against the standard in force' },
  'edition.added': { zh: '新增', en: 'added' },
  'edition.modified': { zh: '调整', en: 'modified' },
  'edition.unchanged': { zh: '不变', en: 'unchanged' },
  'edition.notInTheFile': { zh: '文件未列（不会取消）', en: 'not in the file (not retired)' },
  'edition.change': { zh: '变化', en: 'Change' },
  'edition.editionStatesTheStandard': {
    zh: '该版本与现行标准相同，没有可提交的调整。',
    en: 'The edition states the standard in force as it is: nothing to submit.',
  },
  'edition.submittingDraftsTheAdjustment': {
    zh: '提交后生成调整方案草稿（以本版本文号为依据），在方案页补全论证材料后提交审批；审批通过前不发布。',
    en: 'Submitting drafts the adjustment proposal (on this edition’s document); complete it on the proposal page and submit it for approval. Nothing is published before approval.',
  },
  'edition.submitForApprovalDraft': { zh: '提交审批（生成调整方案草稿）', en: 'Submit for approval (draft the proposal)' },
  'edition.cannotCheck': { zh: '无法校验', en: 'Cannot check' },
  'edition.chooseTheEditionFile': { zh: '请选择版本文件', en: 'choose the edition file' },
  'edition.fileExceedsBytes': { zh: '文件超过 {bytes} 字节', en: 'the file exceeds {bytes} bytes' },
  'edition.uploadAgain': { zh: '重新上传', en: 'Upload again' },
  'edition.previewedFileDidNot': { zh: '预览的文件不完整，请重新上传', en: 'The previewed file did not come back whole: upload it again' },
  'edition.fileMustBe': { zh: '文件须为 {formats}', en: 'the file must be {formats}' },
  'edition.csv.itemCode': { zh: '编号', en: 'Item code' },
  'edition.csv.inForceFrom': { zh: '施行日期', en: 'In force from' },
} as const satisfies Messages;
