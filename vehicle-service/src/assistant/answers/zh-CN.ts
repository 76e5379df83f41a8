import type { AnswerParams, ClimateZone, FailureKind, Operation, Part, PartFailure, Quantity, Seat, TyreId, WarningId } from '../types.js';
import { formatNumber, groupParts, type LanguagePack } from './common.js';

const SEAT: Record<Seat, string> = { driver: '主驾', passenger: '副驾', rearLeft: '左后', rearRight: '右后' };
const ZONE: Record<ClimateZone, string> = { driver: '主驾', passenger: '副驾' };
const TYRE: Record<TyreId, string> = { frontLeft: '左前', frontRight: '右前', rearLeft: '左后', rearRight: '右后' };

function seatsPhrase(seats: readonly Seat[], noun: string): string {
  const set = new Set(seats);
  if (set.size === 4) return `所有${noun}`;
  if (set.size === 2 && set.has('rearLeft') && set.has('rearRight')) return `后排${noun}`;
  if (set.size === 2 && set.has('driver') && set.has('passenger')) return `前排${noun}`;
  return `${seats.map((s) => SEAT[s]).join('、')}${noun}`;
}

export function partsPhrase(parts: readonly Part[]): string {
  const phrases: string[] = [];
  for (const g of groupParts(parts)) {
    switch (g.kind) {
      case 'temperature':
        phrases.push(g.zones.length === 1 ? `${ZONE[g.zones[0]!]}温度` : '两侧温度');
        break;
      case 'fan':
        phrases.push('风量');
        break;
      case 'seatHeating':
        phrases.push(g.zones.length === 1 ? `${ZONE[g.zones[0]!]}座椅加热` : '前排座椅加热');
        break;
      case 'window':
        phrases.push(seatsPhrase(g.seats, '车窗'));
        break;
      case 'doorLock':
        phrases.push(seatsPhrase(g.seats, '车门'));
        break;
      case 'sunroof':
        phrases.push('天窗');
        break;
      case 'trunk':
      case 'trunkLock':
        phrases.push('后备箱');
        break;
      case 'airConditioning':
        phrases.push('空调');
        break;
      case 'defrost':
        phrases.push(g.targets.length === 2 ? '前后除雾' : g.targets[0] === 'front' ? '前挡风玻璃除雾' : '后窗除雾');
        break;
      case 'light':
        phrases.push(g.lights.map((l) => ({ headlights: '大灯', fogLights: '雾灯', hazards: '双闪', interior: '车内灯' })[l]).join('和'));
        break;
      case 'volume':
        phrases.push('音量');
        break;
      case 'media':
        phrases.push('音乐');
        break;
      case 'mediaSource':
        phrases.push('音源');
        break;
    }
  }
  if (phrases.length === 2 && phrases[0] === '所有车门' && phrases[1] === '后备箱') return '全车';
  return phrases.join('和');
}

function measure(parts: readonly Part[]): string {
  const kind = parts[0]?.kind;
  return kind === 'window' ? '扇车窗' : kind === 'doorLock' || kind === 'trunkLock' ? '把锁' : kind === 'temperature' ? '个温区' : '项';
}

export function quantity(q: Quantity): string {
  switch (q.unit) {
    case 'celsius':
      return `${formatNumber(q.n)}°C`;
    case 'percent':
      return `${formatNumber(q.n)}%`;
    case 'km':
      return `${formatNumber(q.n)}公里`;
    case 'kPa':
      return `${formatNumber(q.n)}千帕`;
    case 'level':
      return `${formatNumber(q.n)}档`;
  }
}

const VERB: Record<Operation, string> = {
  set: '设置', raise: '调高', lower: '调低', open: '打开', close: '关闭', tilt: '翘起', lock: '锁上', unlock: '解锁',
  turnOn: '打开', turnOff: '关闭', nextTrack: '切换', previousTrack: '切换', pause: '暂停', resume: '继续播放',
  mute: '静音', unmute: '取消静音', undo: '恢复',
};
const STATE: Partial<Record<Operation, string>> = { open: '打开', close: '关闭', lock: '锁上', unlock: '解锁', turnOn: '打开', turnOff: '关闭' };

function done(p: AnswerParams): string {
  const parts = partsPhrase(p.parts ?? []);
  switch (p.op) {
    case 'set':
      return p.value || p.name ? `已将${parts}设为${p.value ? quantity(p.value) : p.name}。` : `已设置${parts}。`;
    case 'raise':
    case 'lower':
      return p.value ? `已将${parts}${VERB[p.op]}到${quantity(p.value)}。` : `已将${parts}${VERB[p.op]}${p.by ? quantity(p.by) : ''}。`;
    case 'open':
      return p.value ? `已将${parts}打开到${quantity(p.value)}。` : `已打开${parts}。`;
    case 'nextTrack':
      return '已切换到下一首。';
    case 'previousTrack':
      return '已切换到上一首。';
    case 'pause':
      return '已暂停播放。';
    case 'resume':
      return '已继续播放。';
    case 'mute':
      return '已静音。';
    case 'unmute':
      return p.value ? `已取消静音，音量${quantity(p.value)}。` : '已取消静音。';
    case 'undo':
      return `好的，已将${parts}恢复原状。`;
    default:
      return `已${VERB[p.op ?? 'set']}${parts}。`;
  }
}

function refusal(f: { part?: Part | undefined; parts?: readonly Part[] | undefined; op?: Operation | undefined; ruleId?: string | undefined; limitPercent?: number | undefined }): string {
  const what = partsPhrase(f.parts ?? (f.part ? [f.part] : []));
  const verb = VERB[f.op ?? 'set'];
  switch (f.ruleId) {
    case 'no-opening-above-walking-speed':
      return `行驶中无法${verb}${what}。`;
    case 'window-opening-limited-at-highway-speed':
      return `当前车速下，${what}最多只能打开${f.limitPercent ?? 20}%。`;
    case 'ecu-status-stale':
      return `暂时无法连接${what}，所以没有改动。`;
    case 'confirmation-declined':
      return `好的，不${verb}${what}了。`;
    default:
      return `车辆不允许${verb}${what}。`;
  }
}

const FAILURE: Record<FailureKind, string> = {
  timeout: '没有及时响应',
  fault: '报告了故障',
  busy: '正忙',
  notConnected: '无法连接：与车辆的连接已断开',
  stale: '没有上报状态',
  other: '操作失败',
};

function failureClause(f: PartFailure): string {
  if (f.status === 'refused') return refusal({ part: f.part, ruleId: f.ruleId, limitPercent: f.limitPercent }).replace(/。$/, '');
  return `${partsPhrase([f.part])}${FAILURE[f.failure ?? (f.status === 'timeout' ? 'timeout' : 'other')]}`;
}

const WARNING: Record<WarningId, string> = {
  checkEngine: '发动机故障灯亮起',
  fuelLow: '油量偏低',
  tyrePressureLow: '有轮胎胎压偏低',
  washerFluidLow: '玻璃水不足',
  absFault: 'ABS报告故障',
  escFault: '车身稳定系统报告故障',
  troubleCodes: '车辆存有故障码',
};

/** The car context's example contacts, places and categories in Chinese (other names stay as said). */
const NAMES: Record<string, string> = {
  mom: '妈妈', dad: '爸爸', home: '家', work: '公司', gym: '健身房', school: '学校', airport: '机场',
  'gas station': '加油站', 'charging station': '充电站', parking: '停车场', restaurant: '餐厅', 'coffee shop': '咖啡店',
  hospital: '医院', 'rest area': '服务区',
};

const SLOT_QUESTION: Record<NonNullable<AnswerParams['slot']>, string> = {
  temperature: '要设到多少度？',
  window: '哪个车窗？',
  fanLevel: '风量调到几档（1到7）？',
  volume: '音量调到多少（0到30）？',
  contact: '要打给谁？',
  place: '要去哪里？',
};

export const ZH_CN: LanguagePack = {
  lang: 'zh-CN',
  partsPhrase,
  quantity,
  templates: {
    done,
    alreadyDone: (p) => `${partsPhrase(p.part ? [p.part] : (p.parts ?? []))}已经${STATE[p.op ?? 'close'] ?? '设置'}了。`,
    atLimit: (p) => `${partsPhrase(p.part ? [p.part] : [])}已经是${p.op === 'lower' ? '最低' : '最高'}了${p.value ? `（${quantity(p.value)}）` : ''}。`,
    partial: (p) => `已${VERB[p.op ?? 'set']}${p.total}${measure(p.parts ?? [])}中的${p.count}${measure(p.parts ?? []).slice(0, 1)}；${(p.failures ?? []).map(failureClause).join('；')}。`,
    refused: (p) => refusal(p),
    failed: (p) => `无法${VERB[p.op ?? 'set']}${partsPhrase(p.parts ?? (p.part ? [p.part] : []))}：${FAILURE[p.failure ?? 'other']}。`,
    notUnderstood: () => '抱歉，我没听懂。',
    askSlot: (p) => SLOT_QUESTION[p.slot ?? 'temperature'],
    askConfirmation: (p) =>
      p.ruleId === 'confirm-unlock-while-moving'
        ? `车辆正在行驶，确定要${VERB[p.op ?? 'unlock']}${partsPhrase(p.parts ?? [])}吗？`
        : `确定要${VERB[p.op ?? 'open']}${partsPhrase(p.parts ?? [])}吗？`,
    confirmationDeclined: () => '好的，不执行了。',
    confirmationExpired: () => '好的，不执行了。',
    cancelled: () => '好的，已取消。',
    nothingToCancel: () => '没有可以取消的操作。',
    nothingToAdjust: () => '我不确定要调整什么，请说完整的指令。',
    notAvailable: (p) => {
      if (p.part?.kind === 'temperature') return '这辆车后排没有单独的温度控制。';
      if (p.part?.kind === 'seatHeating') return '这辆车后排没有座椅加热。';
      return p.part ? `这辆车无法控制${partsPhrase([p.part])}。` : '这辆车无法控制这个功能。';
    },
    unknownValue: (p) => `暂时读不到${p.part ? partsPhrase([p.part]) : ({ fuel: '油量', range: '续航里程', tyres: '胎压' } as Record<string, string>)[p.name ?? ''] ?? '该数值'}。`,
    fuel: (p) => `油量还剩${p.fuelPercent}%${p.rangeKm !== undefined ? `，大约可行驶${p.rangeKm}公里` : ''}。`,
    range: (p) => `剩余油量大约可行驶${p.rangeKm}公里。`,
    tyrePressures: (p) => {
      const list = (p.pressures ?? []).map((t) => `${TYRE[t.tyre]}${t.kPa}千帕${t.low ? '（偏低）' : ''}`).join('，');
      const low = (p.pressures ?? []).filter((t) => t.low);
      return `${low.length === 0 ? '胎压正常' : `${low.map((t) => TYRE[t.tyre]).join('、')}轮胎胎压偏低`}：${list}。`;
    },
    tyrePressure: (p) => {
      const t = p.pressures?.[0];
      return t ? `${TYRE[t.tyre]}轮胎胎压为${t.kPa}千帕${t.low ? '，偏低' : ''}。` : '暂时读不到胎压。';
    },
    warnings: (p) => `有${(p.warnings ?? []).length}条警告：${(p.warnings ?? []).map((w) => WARNING[w]).join('；')}。`,
    noWarnings: () => '没有警告，一切正常。',
    vehicleStatus: (p) => {
      const w = p.warnings ?? [];
      const head = w.length === 0 ? '车况良好，没有警告' : w.map((x) => WARNING[x]).join('；');
      const fuel = p.fuelPercent !== undefined ? `；油量${p.fuelPercent}%${p.rangeKm !== undefined ? `，大约可行驶${p.rangeKm}公里` : ''}` : '';
      return `${head}${fuel}。`;
    },
    driveSummary: (p) => `本次行程目前已行驶${formatNumber(p.distanceKm ?? 0)}公里。`,
    driveSummaryUnavailable: () => '暂时没有该时间段的行程总结。',
    phoneUnavailable: (p) => `没有连接手机，无法${p.name ? `呼叫${NAMES[p.name] ?? p.name}` : '处理电话'}。`,
    navigationUnavailable: (p) => {
      const why = p.category ? `，无法查找附近的${NAMES[p.category] ?? p.category}` : p.name ? `，无法前往${NAMES[p.name] ?? p.name}` : '';
      return `本车机暂不支持导航${why}。`;
    },
    help: () => '你可以说“调高温度”、“打开车窗”、“锁上车门”或“还有多少油”。',
    nothingOpen: (p) => `${partsPhrase(p.parts ?? [])}都已经关闭了。`,
    internalError: () => '抱歉，系统出了点问题。',
    nothingToConfirm: () => '现在没有需要确认的操作。',
  },
};
