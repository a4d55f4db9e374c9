/**
 * A believable week for the demo network: what three Wisconsin cities and the state
 * office would have exchanged in the run-up to an election. Every category and every
 * TLP appears; observed times spread over the last seven days.
 */

type Tlp = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';
type City = 'wi-madison' | 'wi-milwaukee' | 'wi-green-bay';

export interface SeedBulletin {
  from: City;
  tlp: Tlp;
  audience: string[];
  recipients?: { node: string; user: string }[];
  daysAgo: number;
  body: {
    title: string;
    narrative: string;
    category: string;
    severity: string;
    attackVector?: string;
    location?: { description: string; county?: string };
    indicators?: { type: string; value: string; note?: string }[];
  };
}

const NETWORK = ['*'];
const HUB = ['wi-hub'];

export const SEED_BULLETINS: SeedBulletin[] = [
  {
    from: 'wi-madison',
    tlp: 'GREEN',
    audience: NETWORK,
    daysAgo: 6,
    body: {
      title: 'Look-alike "WEC" e-mails asking poll workers to confirm their log-ins',
      narrative:
        'Eleven poll workers received e-mails from a look-alike domain asking them to "re-validate" their WisVote credentials before training. Two clicked; neither entered a password. The sender domain was reported to the registrar.',
      category: 'cyber.phishing',
      severity: 'medium',
      attackVector: 'email',
      indicators: [
        { type: 'email-sender', value: 'training@wec-wisvote.example', note: 'From header' },
        { type: 'domain', value: 'wec-wisvote.example' },
      ],
    },
  },
  {
    from: 'wi-milwaukee',
    tlp: 'CLEAR',
    audience: NETWORK,
    daysAgo: 5,
    body: {
      title: 'Election results page slow for 40 minutes under a traffic flood',
      narrative:
        'The city election results page answered slowly from 19:10 to 19:50 during a test publication. The hosting provider filtered the traffic; no data was affected. Residents were told to use the county page meanwhile.',
      category: 'cyber.ddos',
      severity: 'low',
      attackVector: 'attrition',
    },
  },
  {
    from: 'wi-green-bay',
    tlp: 'AMBER',
    audience: ['wi-hub', 'wi-madison'],
    daysAgo: 5,
    body: {
      title: 'Spoofed city clerk account on social media',
      narrative:
        'An account using the clerk’s name and photo posted wrong polling-place hours. The platform removed it after four hours; Madison saw a similar account last cycle, so we are sharing with them and the state.',
      category: 'cyber.spoofing',
      severity: 'medium',
      attackVector: 'impersonation',
    },
  },
  {
    from: 'wi-milwaukee',
    tlp: 'GREEN',
    audience: NETWORK,
    daysAgo: 4,
    body: {
      title: 'Scanning of the voter-information site from a small set of addresses',
      narrative:
        'The web application firewall logged directory and login-page scanning from three addresses over two nights. Blocked; no successful requests. Addresses below for your own block lists.',
      category: 'cyber.scanning',
      severity: 'baseline-minor',
      attackVector: 'web',
      indicators: [
        { type: 'ip', value: '203.0.113.41' },
        { type: 'ip', value: '203.0.113.42' },
      ],
    },
  },
  {
    from: 'wi-madison',
    tlp: 'AMBER+STRICT',
    audience: HUB,
    daysAgo: 4,
    body: {
      title: 'A staff e-mail account sent phishing to the clerk’s office',
      narrative:
        'A part-time staff member’s mailbox was used to send the look-alike e-mails internally for about an hour. Password reset, sessions revoked, MFA enrolled. No access to voter-registration records from that account.',
      category: 'cyber.account-compromise',
      severity: 'high',
      attackVector: 'email',
    },
  },
  {
    from: 'wi-green-bay',
    tlp: 'GREEN',
    audience: NETWORK,
    daysAgo: 3,
    body: {
      title: 'Ballot tabulator jams on the second test deck',
      narrative:
        'One of nine tabulators jammed repeatedly during logic-and-accuracy testing. The vendor replaced the feed rollers; the retest passed. Worth checking the same model before Election Day.',
      category: 'equipment.malfunction',
      severity: 'medium',
      location: { description: 'Central count, City Hall', county: 'Brown' },
    },
  },
  {
    from: 'wi-milwaukee',
    tlp: 'AMBER+STRICT',
    audience: HUB,
    daysAgo: 3,
    body: {
      title: 'Two memory cards unreadable after programming',
      narrative:
        'Two of 180 memory cards failed verification after programming. They were reprogrammed and passed; the failed cards are sealed and logged for the vendor. Chain of custody intact.',
      category: 'equipment.media-failure',
      severity: 'low',
    },
  },
  {
    from: 'wi-madison',
    tlp: 'RED',
    audience: HUB,
    recipients: [{ node: 'wi-hub', user: 'official' }],
    daysAgo: 2,
    body: {
      title: 'Threat left on the clerk’s voicemail',
      narrative:
        'A caller named the clerk and her street. Police have the recording and are increasing patrols. Shared only with the state election director while the investigation is open.',
      category: 'physical.threat-to-staff',
      severity: 'severe',
    },
  },
  {
    from: 'wi-milwaukee',
    tlp: 'GREEN',
    audience: NETWORK,
    daysAgo: 2,
    body: {
      title: 'Envelope with white powder at the election commission office',
      narrative:
        'Mail handling followed the suspicious-mail protocol; the hazmat team found the powder harmless. Office closed for two hours. Keep gloves and the protocol card by the mail table.',
      category: 'physical.suspicious-mail',
      severity: 'high',
      location: { description: 'Election commission mail room', county: 'Milwaukee' },
    },
  },
  {
    from: 'wi-green-bay',
    tlp: 'CLEAR',
    audience: NETWORK,
    daysAgo: 1,
    body: {
      title: 'False text messages say polling places moved',
      narrative:
        'Residents forwarded texts claiming several polling places have moved. They have not. The city posted a correction and the list of polling places; please share it.',
      category: 'information.disinformation',
      severity: 'medium',
    },
  },
  {
    from: 'wi-green-bay',
    tlp: 'AMBER+STRICT',
    audience: HUB,
    daysAgo: 1,
    body: {
      title: 'Seasonal worker copied voter lists to a personal drive',
      narrative:
        'Audit logs showed a seasonal worker exporting walk lists to a personal cloud drive. Access removed, the files deleted under supervision, the city attorney informed.',
      category: 'insider.insider-threat',
      severity: 'high',
    },
  },
  {
    from: 'wi-madison',
    tlp: 'GREEN',
    audience: NETWORK,
    daysAgo: 1,
    body: {
      title: 'Power outage at an early-voting site for 25 minutes',
      narrative:
        'A storm cut power at the east library early-voting site. Voters used paper pollbooks and the backup battery kept the ballot box scanner up; no voter was turned away.',
      category: 'operational.power-outage',
      severity: 'low',
      location: { description: 'East library early-voting site', county: 'Dane' },
    },
  },
  {
    from: 'wi-madison',
    tlp: 'AMBER',
    audience: ['wi-hub', 'wi-milwaukee'],
    daysAgo: 0,
    body: {
      title: 'E-pollbook vendor delays the final software update',
      narrative:
        'The vendor moved the final e-pollbook update to two days before Election Day. We will keep the current version unless the state certifies the update in time; Milwaukee uses the same vendor.',
      category: 'operational.vendor-issue',
      severity: 'medium',
    },
  },
];

export const SEED_NOTES = [
  {
    from: 'wi-milwaukee' as City,
    tlp: 'GREEN' as Tlp,
    body: {
      topic: 'phishing-training',
      title: 'Ten-minute monthly phishing drills for chief inspectors',
      problem: 'Chief inspectors clicked on look-alike links during last year’s training season.',
      whatWorked: 'A short simulated phishing e-mail every month, then a one-page debrief at the next meeting.',
      whatDidNot: 'One long annual training session: people forgot it by the election.',
      cost: '$0: in-house, with the city’s e-mail security tool',
      staff: 'One IT analyst, two hours a month',
      jurisdictionSize: 'xl',
    },
  },
  {
    from: 'wi-green-bay' as City,
    tlp: 'CLEAR' as Tlp,
    body: {
      topic: 'malfunction-contingency',
      title: 'Paper pollbooks in every site’s go-box',
      problem: 'An e-pollbook outage would stop check-in at a polling place.',
      whatWorked:
        'A sealed go-box per site with printed pollbooks, forms and a one-page switch-over card; drilled at training.',
      whatDidNot: 'Printing pollbooks on demand: the printers were the bottleneck.',
      cost: 'About $1,200 in printing per election',
      staff: 'Clerk’s office, one day before each election',
      jurisdictionSize: 'l',
    },
  },
];
